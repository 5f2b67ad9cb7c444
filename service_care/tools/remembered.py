# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A function that gives, for the same arguments, the result it gave before.

The send pipeline renders a template for thousands of customers in one
environment and language: the helpers of the template's evaluation context
(``format_amount``) are then asked the same thing again and again.
"""

import functools


def remembered(function, size=4096):
    """``function`` remembering up to ``size`` results; an argument that
    cannot be a key (a list, a dict) calls ``function`` as it is."""
    cached = functools.lru_cache(maxsize=size)(function)

    def call(*args, **kwargs):
        try:
            return cached(*args, **kwargs)
        except TypeError:  # an argument that cannot be a key
            return function(*args, **kwargs)

    return call
