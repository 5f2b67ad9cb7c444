# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from email import message_from_bytes, policy

from odoo.tests import BaseCase

from ..tools import mime


class TestToolsMime(BaseCase):
    def _parse(self, raw):
        return message_from_bytes(raw, policy=policy.default)

    def test_headers_and_bodies_round_trip_in_any_script(self):
        html = "<p>Zażółć gęślą jaźń - " + "долгий текст " * 200 + "</p>"
        raw = mime.build(
            [
                ("Message-Id", "<1.2@shop>"),
                ("Subject", "Wróciło: Łódzka kawa, " + "очень " * 30),
                ("From", '"Sklep Łódź" <shop@example.pl>'),
                ("Reply-To", "shop@example.pl"),
                ("To", '"Анна Коваль" <anna@example.pl>'),
                ("List-Unsubscribe", "<https://shop.example.pl/care/u/abc/def>"),
            ],
            "Zażółć gęślą jaźń",
            html,
        )
        self.assertTrue(raw.isascii())
        lines = raw.split(b"\r\n")
        self.assertLessEqual(max(len(line) for line in lines), 998)
        self.assertNotIn(b"\n", raw.replace(b"\r\n", b""), "CRLF line ends only")
        message = self._parse(raw)
        self.assertEqual(
            message["Subject"], "Wróciło: Łódzka kawa, " + "очень " * 29 + "очень"
        )
        self.assertEqual(message["From"].addresses[0].display_name, "Sklep Łódź")
        self.assertEqual(message["To"].addresses[0].display_name, "Анна Коваль")
        self.assertEqual(message["To"].addresses[0].addr_spec, "anna@example.pl")
        self.assertEqual(message["Message-Id"], "<1.2@shop>")
        self.assertEqual(
            message["List-Unsubscribe"], "<https://shop.example.pl/care/u/abc/def>"
        )
        self.assertTrue(message["Date"])
        self.assertEqual(message.get_content_type(), "multipart/alternative")
        self.assertEqual(
            message.get_body(("plain",)).get_content(), "Zażółć gęślą jaźń"
        )
        self.assertEqual(message.get_body(("html",)).get_content(), html)

    def test_a_line_break_in_a_value_cannot_add_a_header(self):
        raw = mime.build(
            [("Subject", "Hello\r\nBcc: victim@example.com")], "text", "<p>html</p>"
        )
        message = self._parse(raw)
        self.assertIsNone(message["Bcc"])
        self.assertEqual(message["Subject"], "Hello Bcc: victim@example.com")
