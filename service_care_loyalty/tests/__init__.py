from . import test_birthday_coupon
