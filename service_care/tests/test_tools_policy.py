from datetime import datetime, time, timedelta

import pytz

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.service_care.tools import policy
from odoo.addons.service_care.tools.policy import (
    DEFAULT_POLICY,
    Decision,
    Policy,
    SendWindow,
    decide,
    in_window,
    local_to_utc,
    next_window_opening,
    parse_hours,
    parse_weekdays,
    parse_window,
)

WARSAW = "Europe/Warsaw"
NEW_YORK = "America/New_York"
KOLKATA = "Asia/Kolkata"
PARIS = "Europe/Paris"


def marketing(channel, now, tz, country=None, recent_sends=(), **kwargs):
    """Decide for a consented, valid, not blacklisted marketing recipient."""
    facts = {"has_consent": True, "contact_valid": True, "blacklisted": False}
    facts.update(kwargs)
    return decide("marketing", channel, now, tz, country, recent_sends, **facts)


@tagged("service_care")
class TestPolicyTimeZones(BaseCase):
    def test_default_window_in_three_zones(self):
        # Thursday 2026-01-15 06:00 UTC: 07:00 Warsaw, 01:00 New York, 11:30 Kolkata
        now = datetime(2026, 1, 15, 6, 0)
        self.assertEqual(
            marketing("email", now, WARSAW),
            Decision.defer(
                datetime(2026, 1, 15, 8, 0),
                "quiet_hours",
                "Outside the recipient's send window 09:00-21:00 (Europe/Warsaw).",
            ),
        )
        decision = marketing("email", now, NEW_YORK)
        self.assertEqual(decision.action, "defer")
        self.assertEqual(decision.at, datetime(2026, 1, 15, 14, 0))
        self.assertEqual(marketing("email", now, KOLKATA).action, "send")

    def test_non_hour_offset(self):
        # 16:00 UTC is 21:30 in Kolkata (+05:30): closed until 09:00 IST = 03:30 UTC
        now = datetime(2026, 1, 15, 16, 0)
        decision = marketing("sms", now, KOLKATA)
        self.assertEqual(decision.action, "defer")
        self.assertEqual(decision.at, datetime(2026, 1, 16, 3, 30))
        self.assertEqual(decision.reason, "quiet_hours")
        window = DEFAULT_POLICY.window
        self.assertTrue(in_window(datetime(2026, 1, 15, 3, 30), KOLKATA, window))
        self.assertFalse(in_window(datetime(2026, 1, 15, 3, 29, 59), KOLKATA, window))
        self.assertTrue(in_window(datetime(2026, 1, 15, 15, 29, 59), KOLKATA, window))
        self.assertFalse(in_window(datetime(2026, 1, 15, 15, 30), KOLKATA, window))

    def test_summer_time_offset(self):
        # in July Warsaw is UTC+2 and New York UTC-4
        now = datetime(2026, 7, 1, 5, 0)
        window = DEFAULT_POLICY.window
        self.assertEqual(
            next_window_opening(now, WARSAW, window), datetime(2026, 7, 1, 7, 0)
        )
        self.assertEqual(
            next_window_opening(now, NEW_YORK, window), datetime(2026, 7, 1, 13, 0)
        )

    def test_opening_now_is_now(self):
        now = datetime(2026, 1, 15, 12, 34, 56)
        window = DEFAULT_POLICY.window
        self.assertEqual(next_window_opening(now, WARSAW, window), now)


@tagged("service_care")
class TestPolicyDaylightSaving(BaseCase):
    window_0230 = SendWindow(time(2, 30), time(21, 0))

    def test_spring_forward_default_window(self):
        # Saturday 22:00 CET, the night clocks go forward: 09:00 CEST = 07:00 UTC
        now = datetime(2026, 3, 28, 21, 0)
        self.assertEqual(
            marketing("email", now, WARSAW).at, datetime(2026, 3, 29, 7, 0)
        )

    def test_spring_forward_opening_in_skipped_hour(self):
        # 02:30 does not exist on 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00 UTC)
        now = datetime(2026, 3, 29, 0, 0)  # 01:00 CET
        self.assertEqual(
            local_to_utc(datetime(2026, 3, 29, 2, 30), WARSAW),
            datetime(2026, 3, 29, 1, 0),
        )
        self.assertEqual(
            next_window_opening(now, WARSAW, self.window_0230),
            datetime(2026, 3, 29, 1, 0),
        )
        self.assertFalse(
            in_window(datetime(2026, 3, 29, 0, 59, 59), WARSAW, self.window_0230)
        )
        self.assertTrue(
            in_window(datetime(2026, 3, 29, 1, 0), WARSAW, self.window_0230)
        )
        # the day after, 02:30 CEST exists again: 00:30 UTC
        self.assertEqual(
            next_window_opening(datetime(2026, 3, 29, 20, 0), WARSAW, self.window_0230),
            datetime(2026, 3, 30, 0, 30),
        )

    def test_fall_back_default_window(self):
        # Saturday 22:00 CEST, the night clocks go back: 09:00 CET = 08:00 UTC
        now = datetime(2026, 10, 24, 20, 0)
        self.assertEqual(
            marketing("email", now, WARSAW).at, datetime(2026, 10, 25, 8, 0)
        )

    def test_fall_back_opening_in_repeated_hour(self):
        # 02:30 happens twice on 2026-10-25: 00:30 UTC (CEST), then 01:30 UTC (CET)
        now = datetime(2026, 10, 24, 23, 0)  # 01:00 CEST
        self.assertEqual(
            local_to_utc(datetime(2026, 10, 25, 2, 30), WARSAW),
            datetime(2026, 10, 25, 0, 30),
        )
        decision = policy.decide(
            "marketing",
            "email",
            now,
            WARSAW,
            "PL",
            [],
            has_consent=True,
            contact_valid=True,
            blacklisted=False,
            policy=Policy(window=self.window_0230),
        )
        self.assertEqual(decision.at, datetime(2026, 10, 25, 0, 30))
        # once opened at the first 02:30, the window stays open through the repeat
        self.assertTrue(
            in_window(datetime(2026, 10, 25, 1, 15), WARSAW, self.window_0230)
        )
        # on the next day, in CET, 02:30 is 01:30 UTC
        self.assertEqual(
            next_window_opening(
                datetime(2026, 10, 25, 20, 0), WARSAW, self.window_0230
            ),
            datetime(2026, 10, 26, 1, 30),
        )


@tagged("service_care")
class TestPolicyWindows(BaseCase):
    night = SendWindow(time(22, 0), time(2, 0))

    def test_midnight_crossing_window(self):
        # January, Warsaw is UTC+1
        before = datetime(2026, 1, 15, 20, 0)  # 21:00 local
        inside = datetime(2026, 1, 15, 23, 30)  # 00:30 local, Friday
        after = datetime(2026, 1, 16, 1, 0)  # 02:00 local: the end is excluded
        self.assertFalse(in_window(before, WARSAW, self.night))
        self.assertTrue(in_window(inside, WARSAW, self.night))
        self.assertFalse(in_window(after, WARSAW, self.night))
        self.assertTrue(in_window(datetime(2026, 1, 16, 0, 59, 59), WARSAW, self.night))
        self.assertEqual(
            next_window_opening(before, WARSAW, self.night),
            datetime(2026, 1, 15, 21, 0),
        )
        self.assertEqual(next_window_opening(inside, WARSAW, self.night), inside)
        self.assertEqual(
            next_window_opening(after, WARSAW, self.night),
            datetime(2026, 1, 16, 21, 0),
        )

    def test_midnight_crossing_window_weekday_is_opening_day(self):
        # opens on Fridays only: Saturday 01:00 is still inside, Saturday 23:00 not
        friday_night = SendWindow(time(22, 0), time(2, 0), frozenset({4}))
        saturday_0100 = datetime(2026, 1, 17, 0, 0)
        saturday_2300 = datetime(2026, 1, 17, 22, 0)
        self.assertTrue(in_window(saturday_0100, WARSAW, friday_night))
        self.assertFalse(in_window(saturday_2300, WARSAW, friday_night))
        self.assertEqual(
            next_window_opening(saturday_2300, WARSAW, friday_night),
            datetime(2026, 1, 23, 21, 0),
        )

    def test_france_override_no_sundays(self):
        france = parse_window("08:00-22:00", "mon-sat")
        shop = Policy(country_windows={"fr": france})
        # Saturday 2026-01-17 22:30 in Paris (UTC+1) = 21:30 UTC
        now = datetime(2026, 1, 17, 21, 30)
        decision = marketing("email", now, PARIS, "FR", policy=shop)
        self.assertEqual(decision.action, "defer")
        self.assertEqual(decision.reason, "quiet_hours")
        self.assertEqual(decision.at, datetime(2026, 1, 19, 7, 0))  # Monday 08:00
        self.assertIn("08:00-22:00", decision.message)
        # another country in the same zone keeps the default 09:00-21:00, Sundays too
        other = marketing("email", now, PARIS, "BE", policy=shop)
        self.assertEqual(other.at, datetime(2026, 1, 18, 8, 0))
        # Saturday 21:30 Paris is open for France, closed for the default window
        evening = datetime(2026, 1, 17, 20, 30)
        self.assertEqual(
            marketing("sms", evening, PARIS, "FR", policy=shop).action, "send"
        )
        self.assertEqual(
            marketing("sms", evening, PARIS, None, policy=shop).action, "defer"
        )


@tagged("service_care")
class TestPolicyCaps(BaseCase):
    now = datetime(2026, 1, 15, 12, 0)  # 13:00 in Warsaw

    def test_cap_boundary(self):
        exactly = [datetime(2026, 1, 14, 20, 0, 0)]  # 16 h ago to the second
        self.assertEqual(
            marketing("email", self.now, WARSAW, "PL", exactly).action, "send"
        )
        almost = [datetime(2026, 1, 14, 20, 0, 1)]  # 1 second less than 16 h
        decision = marketing("email", self.now, WARSAW, "PL", almost)
        self.assertEqual(decision.action, "defer")
        self.assertEqual(decision.reason, "frequency_cap")
        self.assertEqual(decision.at, datetime(2026, 1, 15, 12, 0, 1))

    def test_cap_uses_last_send(self):
        # the last one counts: 09:00 + 16 h = 02:00 local, so 09:00 local next day
        sends = [datetime(2026, 1, 14, 12, 0), datetime(2026, 1, 15, 9, 0)]
        decision = marketing("email", self.now, WARSAW, "PL", sends)
        self.assertEqual(decision.at, datetime(2026, 1, 16, 8, 0))

    def test_cap_end_outside_window(self):
        # SMS sent 15 h ago: the cap ends at 21:00 UTC = 22:00 local, after hours
        sends = [datetime(2026, 1, 14, 21, 0)]
        decision = marketing("sms", self.now, WARSAW, "PL", sends)
        self.assertEqual(decision.action, "defer")
        self.assertEqual(decision.reason, "frequency_cap")
        self.assertEqual(decision.at, datetime(2026, 1, 16, 8, 0))

    def test_cap_is_per_channel(self):
        # 20 h ago: clears the 16 h email cap, not the 24 h SMS cap
        sends = [datetime(2026, 1, 14, 16, 0)]
        self.assertEqual(
            marketing("email", self.now, WARSAW, "PL", sends).action, "send"
        )
        sms = marketing("sms", self.now, WARSAW, "PL", sends)
        self.assertEqual(sms.at, datetime(2026, 1, 15, 16, 0))
        # a channel without a cap is never capped
        email_only = Policy(caps={"email": timedelta(hours=16)})
        sent_now = [self.now]
        decision = marketing("sms", self.now, WARSAW, "PL", sent_now, policy=email_only)
        self.assertEqual(decision.action, "send")

    def test_sms_log_does_not_cap_email(self):
        # the caller passes each channel's own log: an SMS 1 h ago leaves email free
        sms_log = [datetime(2026, 1, 15, 11, 0)]
        self.assertEqual(marketing("email", self.now, WARSAW, "PL", []).action, "send")
        self.assertEqual(
            marketing("sms", self.now, WARSAW, "PL", sms_log).at,
            datetime(2026, 1, 16, 11, 0),
        )

    def test_queued_later_send_counts(self):
        # an email already queued for 14:00 UTC: next slot is 16 h after it,
        # 06:00 UTC = 07:00 local, so the window opening at 08:00 UTC
        queued = [datetime(2026, 1, 15, 14, 0)]
        decision = marketing("email", self.now, WARSAW, "PL", queued)
        self.assertEqual(decision.reason, "frequency_cap")
        self.assertEqual(decision.at, datetime(2026, 1, 16, 8, 0))


@tagged("service_care")
class TestPolicyRules(BaseCase):
    night = datetime(2026, 1, 15, 2, 0)  # 03:00 in Warsaw

    def test_transactional_ignores_hours_caps_consent(self):
        decision = decide(
            "transactional",
            "sms",
            self.night,
            WARSAW,
            "PL",
            [datetime(2026, 1, 15, 1, 0)],
            has_consent=False,
            contact_valid=True,
            blacklisted=False,
        )
        self.assertEqual(decision.action, "send")
        self.assertIsNone(decision.at)
        self.assertEqual(decision.reason, "")

    def test_blacklisted_transactional_skipped(self):
        decision = decide(
            "transactional",
            "email",
            self.night,
            WARSAW,
            "PL",
            [],
            has_consent=True,
            contact_valid=True,
            blacklisted=True,
        )
        self.assertEqual(
            decision,
            Decision(
                "skip", None, "blacklisted", "The recipient's email is blacklisted."
            ),
        )

    def test_invalid_contact_skipped(self):
        for kind in ("transactional", "marketing"):
            with self.subTest(kind=kind):
                decision = decide(
                    kind,
                    "sms",
                    self.night,
                    WARSAW,
                    "PL",
                    [],
                    has_consent=True,
                    contact_valid=False,
                    blacklisted=False,
                )
                self.assertEqual(decision.action, "skip")
                self.assertEqual(decision.reason, "invalid_contact")

    def test_marketing_without_consent_skipped(self):
        decision = marketing("sms", self.night, WARSAW, "PL", has_consent=False)
        self.assertEqual(decision.action, "skip")
        self.assertIsNone(decision.at)
        self.assertEqual(decision.reason, "no_consent")
        self.assertEqual(
            decision.message, "The recipient has not agreed to marketing by sms."
        )

    def test_marketing_at_night_deferred_not_dropped(self):
        decision = marketing("sms", self.night, WARSAW, "PL")
        self.assertEqual(decision.action, "defer")
        self.assertEqual(decision.at, datetime(2026, 1, 15, 8, 0))


@tagged("service_care")
class TestPolicyParsing(BaseCase):
    def test_parse_country_windows(self):
        self.assertEqual(
            policy.parse_country_windows(
                "# customers abroad\nfr 08:00 - 20:00 mon-fri  # no weekend\n\n"
                "DE 10:00-24:00\n"
            ),
            {
                "FR": SendWindow(time(8, 0), time(20, 0), frozenset(range(5))),
                "DE": SendWindow(time(10, 0), time(0, 0)),
            },
        )
        self.assertEqual(policy.time_to_float(time(0, 0), is_end=True), 24.0)
        self.assertEqual(policy.time_to_float(time(8, 30)), 8.5)
        self.assertEqual(policy.float_to_time(24.0), time(0, 0))

    def test_invalid_country_windows_name_the_line(self):
        cases = {
            "FR 08:00-22:00\nDE 8h-20h": "line 2 (DE 8h-20h): Invalid time '8h': "
            "expected HH:MM, e.g. 08:00.",
            "DE 0800": "line 1 (DE 0800): Invalid send hours '0800': expected "
            "HH:MM-HH:MM, e.g. 08:00-22:00.",
            "FR 08:00-25:00": "line 1 (FR 08:00-25:00): Invalid time '25:00'",
            "FR 08:00-22:00 mon-someday": "Invalid weekday 'someday'",
            "FR": "line 1 (FR): expected a country code, hours",
            "France 08:00-22:00": "line 1 (France 08:00-22:00): expected a "
            "country code",
            "FR 08:00-22:00\nfr 09:00-21:00": "line 2 (fr 09:00-21:00): FR already "
            "has send hours",
        }
        for text, error in cases.items():
            with self.subTest(text=text), self.assertRaises(ValueError) as caught:
                policy.parse_country_windows(text)
            self.assertIn(error, str(caught.exception))

    def test_parse_valid(self):
        self.assertEqual(parse_hours(" 8:00 - 22:00 "), (time(8, 0), time(22, 0)))
        self.assertEqual(parse_hours("00:00-24:00"), (time(0, 0), time(0, 0)))
        self.assertEqual(parse_weekdays("Mon, wed 4"), frozenset({0, 2, 4}))
        self.assertEqual(parse_weekdays("monday - friday"), frozenset(range(5)))
        self.assertEqual(parse_weekdays("sat-mon"), frozenset({5, 6, 0}))
        self.assertEqual(
            parse_window("22:00-02:00", [4, 5]),
            SendWindow(time(22, 0), time(2, 0), frozenset({4, 5})),
        )
        self.assertEqual(parse_window("09:00-21:00"), DEFAULT_POLICY.window)

    def test_full_day_window(self):
        always = parse_window("00:00-24:00")
        self.assertTrue(in_window(datetime(2026, 1, 15, 23, 0), WARSAW, always))
        self.assertTrue(in_window(datetime(2026, 3, 29, 1, 30), WARSAW, always))

    def test_parse_errors(self):
        cases = [
            (parse_hours, "8-22", r"Invalid time '8': expected HH:MM"),
            (parse_hours, "08:00", r"Invalid send hours '08:00': expected HH:MM-HH"),
            (parse_hours, "08:00-22:00-23:00", r"Invalid send hours"),
            (parse_hours, "25:00-26:00", r"Invalid time '25:00': out of range"),
            (parse_hours, "24:00-08:00", r"Invalid time '24:00': out of range"),
            (parse_hours, "08:60-09:00", r"Invalid time '08:60': out of range"),
            (parse_weekdays, "mon,funday", r"Invalid weekday 'funday': use mon\.\.sun"),
            (parse_weekdays, "7", r"Invalid weekday '7'"),
            (parse_weekdays, " , ", r"No weekday given"),
            (parse_weekdays, "mon-", r"Invalid weekday range 'mon-'"),
            (parse_weekdays, "mon-wed-fri", r"Invalid weekday range 'mon-wed-fri'"),
        ]
        for parser, text, message in cases:
            with self.subTest(text=text), self.assertRaisesRegex(ValueError, message):
                parser(text)

    def test_invalid_values(self):
        with self.assertRaisesRegex(ValueError, "at least one weekday"):
            SendWindow(weekdays=frozenset())
        with self.assertRaisesRegex(ValueError, r"0 \(Monday\) to 6 \(Sunday\)"):
            parse_window("08:00-22:00", [7])
        with self.assertRaisesRegex(ValueError, "must be a positive timedelta"):
            Policy(caps={"sms": timedelta(0)})
        with self.assertRaisesRegex(ValueError, r"Unknown time zone 'Mars/Olympus'"):
            marketing("email", datetime(2026, 1, 15), "Mars/Olympus")
        with self.assertRaisesRegex(ValueError, r"Unknown time zone 'Mars/Olympus'"):
            in_window(datetime(2026, 1, 15), "Mars/Olympus", DEFAULT_POLICY.window)
        with self.assertRaisesRegex(ValueError, "A time zone name is required"):
            next_window_opening(datetime(2026, 1, 15), "", DEFAULT_POLICY.window)
        with self.assertRaisesRegex(ValueError, r"Unknown message kind 'promo'"):
            decide(
                "promo",
                "email",
                datetime(2026, 1, 15),
                WARSAW,
                None,
                [],
                has_consent=True,
                contact_valid=True,
                blacklisted=False,
            )
        with self.assertRaisesRegex(ValueError, r"Unknown channel 'fax'"):
            marketing("fax", datetime(2026, 1, 15), WARSAW)
        with self.assertRaisesRegex(ValueError, "now must be a naive UTC datetime"):
            marketing("email", datetime(2026, 1, 15, tzinfo=pytz.utc), WARSAW)
