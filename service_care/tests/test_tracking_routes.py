# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from http.cookies import SimpleCookie
from unittest.mock import patch
from urllib.parse import urlsplit

from odoo.tests import HttpCase, tagged
from odoo.tools import config

from odoo.addons.service_care.tools import tracking

APPLE_PROXY_UA = "Mozilla/5.0"
APPLE_MAIL_UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) "
    "AppleWebKit/605.1.15 (KHTML, like Gecko)"
)
BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0 Safari/537.36"
)
TARGET = "https://shop.example.com/shop/cart?ref=care&x=1#top"


@tagged("post_install", "-at_install", "service_care")
class TestTrackingRoutes(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "Anna Kowalska",
                "email": "anna@example.pl",
                "mobile": "+48 601 234 567",
            }
        )
        for channel in ("email", "sms"):
            cls.partner._care_set_consent(
                channel, True, "backoffice", "Yes, send me offers."
            )
        cls.scenario = cls.env["service.care.scenario"].create(
            {"name": "Replenishment"}
        )
        cls.message = cls.env["service.care.message"].create(
            {
                "partner_id": cls.partner.id,
                "channel": "email",
                "kind": "marketing",
                "scenario_id": cls.scenario.id,
                "state": "sent",
                "sent_at": "2026-11-20 10:00:00",
            }
        )
        cls.sms_message = cls.env["service.care.message"].create(
            {
                "partner_id": cls.partner.id,
                "channel": "sms",
                "kind": "marketing",
                "state": "sent",
            }
        )

    def open_path(self, message=None, token=None):
        message = message or self.message
        token = token or message._token("open")
        return tracking.OPEN_PATH.format(uuid=message.uuid, token=token)

    def click_path(self, url, token=None, message=None):
        message = message or self.message
        token = token or message._token("click", url)
        return tracking.click_url("", message.uuid, token, url)

    def unsubscribe_path(self, message=None, token=None):
        message = message or self.message
        token = token or message._token("unsubscribe")
        return tracking.UNSUBSCRIBE_PATH.format(uuid=message.uuid, token=token)

    def consents(self, channel="email"):
        return self.env["service.care.consent"].search(
            [("partner_id", "=", self.partner.id), ("channel", "=", channel)]
        )

    def utm_cookies(self, response):
        """UTM cookies set by a response, read from its Set-Cookie headers."""
        cookies = SimpleCookie()
        for header in response.raw.headers.getlist("Set-Cookie"):
            cookies.load(header)
        return {
            name: morsel.value
            for name, morsel in cookies.items()
            if name.startswith("odoo_utm_")
        }

    # ------------------------------------------------------------------
    # Open pixel
    # ------------------------------------------------------------------

    def test_open_forged_token_is_404_and_counts_nothing(self):
        other = self.sms_message
        for path in (
            self.open_path(token="0" * 64),
            # A token of another scope or another message does not open this one.
            self.open_path(token=self.message._token("unsubscribe")),
            self.open_path(token=other._token("open")),
            tracking.OPEN_PATH.format(uuid="f" * 32, token=self.message._token("open")),
        ):
            with self.subTest(path=path):
                response = self.url_open(path)
                self.assertEqual(response.status_code, 404)
        self.message.invalidate_recordset()
        self.assertRecordValues(
            self.message,
            [{"state": "sent", "open_count": 0, "machine_open_count": 0}],
        )
        self.assertFalse(self.message.opened_at)

    def test_open_pixel(self):
        response = self.url_open(self.open_path(), headers={"User-Agent": BROWSER_UA})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "image/gif")
        self.assertEqual(response.content, tracking.PIXEL_GIF)
        self.assertIn("no-store", response.headers["Cache-Control"])
        self.message.invalidate_recordset()
        self.assertRecordValues(
            self.message,
            [{"state": "opened", "open_count": 1, "machine_open_count": 0}],
        )
        self.assertTrue(self.message.opened_at)
        # A HEAD request (a link checker) gets the headers and counts nothing.
        head = self.url_open(self.open_path(), head=True)
        self.assertEqual(head.status_code, 200)
        self.message.invalidate_recordset()
        self.assertEqual(self.message.open_count, 1)

    def test_open_from_apple_privacy_proxy(self):
        """The test server sees 127.0.0.1: the Apple address comes the way it
        does in production, from the reverse proxy's X-Forwarded-For with
        Odoo's proxy_mode on."""
        host = urlsplit(self.base_url()).netloc
        forwarded = {"X-Forwarded-For": "17.58.101.20", "X-Forwarded-Host": host}
        with patch.dict(config.options, {"proxy_mode": True}):
            response = self.url_open(
                self.open_path(),
                headers={**forwarded, "User-Agent": APPLE_PROXY_UA},
            )
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.content, tracking.PIXEL_GIF)
            self.message.invalidate_recordset()
            # Counted apart, and no state change: the proxy opens every message.
            self.assertRecordValues(
                self.message,
                [{"state": "sent", "open_count": 0, "machine_open_count": 1}],
            )
            # Apple Mail itself, on Apple's network, is a person reading.
            self.url_open(
                self.open_path(), headers={**forwarded, "User-Agent": APPLE_MAIL_UA}
            )
        self.message.invalidate_recordset()
        self.assertRecordValues(
            self.message,
            [{"state": "opened", "open_count": 1, "machine_open_count": 1}],
        )

    # ------------------------------------------------------------------
    # Click redirect
    # ------------------------------------------------------------------

    def test_click_forged_or_altered_is_404(self):
        token = self.message._token("click", TARGET)
        for path in (
            # The URL changed under a valid token: no open redirect.
            tracking.click_url("", self.message.uuid, token, "https://evil.example/"),
            tracking.click_url("", self.message.uuid, token, TARGET + "&y=2"),
            self.click_path(TARGET, token="0" * 64),
            self.click_path(TARGET, message=self.sms_message, token=token),
            tracking.CLICK_PATH.format(uuid=self.message.uuid, token=token),
        ):
            with self.subTest(path=path):
                response = self.url_open(path, allow_redirects=False)
                self.assertEqual(response.status_code, 404)
                self.assertFalse(self.utm_cookies(response))
        self.message.invalidate_recordset()
        self.assertRecordValues(self.message, [{"state": "sent", "click_count": 0}])

    def test_click_redirects_and_sets_utm_cookies(self):
        response = self.url_open(
            self.click_path(TARGET),
            headers={"User-Agent": BROWSER_UA},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response.headers["Location"], TARGET)
        self.message.invalidate_recordset()
        self.assertRecordValues(self.message, [{"state": "clicked", "click_count": 1}])
        self.assertTrue(self.message.clicked_at)
        self.assertEqual(
            self.utm_cookies(response),
            {
                "odoo_utm_source": "Service Care",
                "odoo_utm_medium": "Email",
                "odoo_utm_campaign": "Replenishment",
            },
        )
        # The records exist, found by name as utm.mixin.default_get does.
        for model, name in [
            ("utm.source", "Service Care"),
            ("utm.medium", "Email"),
            ("utm.campaign", "Replenishment"),
        ]:
            with self.subTest(model=model):
                self.assertEqual(
                    self.env[model].search_count([("name", "=ilike", name)]), 1
                )

    def test_click_sms_without_scenario(self):
        response = self.url_open(
            self.click_path(TARGET, message=self.sms_message),
            headers={"User-Agent": BROWSER_UA},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            self.utm_cookies(response),
            {"odoo_utm_source": "Service Care", "odoo_utm_medium": "SMS"},
        )
        # After a click on a scenario's email, the campaign cookie is cleared:
        # the last touch, this SMS, has none.
        self.opener.cookies.set("odoo_utm_campaign", "Replenishment")
        response = self.url_open(
            self.click_path(TARGET, message=self.sms_message),
            headers={"User-Agent": BROWSER_UA},
            allow_redirects=False,
        )
        self.assertEqual(self.utm_cookies(response)["odoo_utm_campaign"], "")

    def test_click_by_a_bot_or_head_redirects_without_counting(self):
        bot = self.url_open(
            self.click_path(TARGET),
            headers={"User-Agent": "Mozilla/5.0 (compatible; bingbot/2.0)"},
            allow_redirects=False,
        )
        head = self.url_open(
            self.click_path(TARGET), headers={"User-Agent": BROWSER_UA}, head=True
        )
        for response in (bot, head):
            self.assertEqual(response.status_code, 302)
            self.assertEqual(response.headers["Location"], TARGET)
        self.message.invalidate_recordset()
        self.assertRecordValues(self.message, [{"state": "sent", "click_count": 0}])

    # ------------------------------------------------------------------
    # Unsubscribe
    # ------------------------------------------------------------------

    def test_unsubscribe_forged_is_404_and_changes_nothing(self):
        for path in (
            self.unsubscribe_path(token="0" * 64),
            self.unsubscribe_path(token=self.message._token("open")),
        ):
            with self.subTest(path=path):
                self.assertEqual(self.url_open(path).status_code, 404)
                response = self.url_open(path, data={"unsubscribe": "1"})
                self.assertEqual(response.status_code, 404)
        self.partner.invalidate_recordset()
        self.assertTrue(self.partner.care_email_consent)
        self.assertFalse(self.consents().filtered(lambda c: c.source == "unsubscribe"))

    def test_unsubscribe_get_shows_the_form_and_changes_nothing(self):
        path = self.unsubscribe_path()
        response = self.url_open(path)
        self.assertEqual(response.status_code, 200)
        self.assertIn(f'action="{path}"', response.text)
        self.assertIn('method="post"', response.text)
        self.assertIn(">Unsubscribe from everything</button>", response.text)
        self.assertIn('name="scope" value="purpose"', response.text)
        self.partner.invalidate_recordset()
        self.assertTrue(self.partner.care_email_consent)
        self.assertEqual(len(self.consents()), 1)

    def test_unsubscribe_post_withdraws_the_channel_consent(self):
        response = self.url_open(self.unsubscribe_path(), data={"unsubscribe": "1"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("You are unsubscribed", response.text)
        self.partner.invalidate_recordset()
        self.assertFalse(self.partner.care_email_consent)
        self.assertTrue(self.partner.care_sms_consent)
        withdrawal = self.consents()[0]
        self.assertRecordValues(
            withdrawal,
            [{"granted": False, "source": "unsubscribe", "ip": "127.0.0.1"}],
        )
        self.assertIn("marketing emails", withdrawal.wording)

    def test_unsubscribe_one_click_post_rfc8058(self):
        """What a mail provider sends: a form POST with no session or CSRF token."""
        response = self.url_open(
            self.unsubscribe_path(message=self.sms_message),
            data={"List-Unsubscribe": "One-Click"},
        )
        self.assertEqual(response.status_code, 200)
        self.partner.invalidate_recordset()
        self.assertFalse(self.partner.care_sms_consent)
        self.assertTrue(self.partner.care_email_consent)
        self.assertRecordValues(
            self.consents("sms")[0],
            [
                {
                    "granted": False,
                    "source": "unsubscribe",
                    "wording": "One-click unsubscribe from the mail app.",
                }
            ],
        )
