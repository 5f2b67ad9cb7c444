from . import consent, portal, shop, sms, tracking, waitlist_portal
