from . import tracking
