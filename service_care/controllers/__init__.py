from . import portal, shop, sms, tracking, waitlist_portal
