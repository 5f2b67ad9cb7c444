from decimal import Decimal

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.service_care.tools import sms_text
from odoo.addons.service_care.tools.sms_text import SmsInfo


@tagged("service_care")
class TestSmsText(BaseCase):
    def assertParts(self, text, expected_lengths):
        """Parts have the expected code point lengths and rebuild the text."""
        parts = sms_text.split_segments(text)
        self.assertEqual([len(part) for part in parts], expected_lengths)
        self.assertEqual("".join(parts), text)

    def test_empty_text(self):
        for text in ("", None):
            with self.subTest(text=text):
                self.assertEqual(
                    sms_text.sms_info(text),
                    SmsInfo(
                        encoding="gsm7",
                        length=0,
                        segments=0,
                        per_segment=160,
                        remaining=160,
                    ),
                )
                self.assertEqual(sms_text.split_segments(text), [])
                self.assertEqual(sms_text.cost(text, "0.05"), Decimal("0.0000"))

    def test_gsm7_single_and_concatenated(self):
        for length, segments, per_segment, remaining in [
            (1, 1, 160, 159),
            (160, 1, 160, 0),
            (161, 2, 153, 145),
            (306, 2, 153, 0),
            (307, 3, 153, 152),
            (459, 3, 153, 0),
        ]:
            with self.subTest(length=length):
                self.assertEqual(
                    sms_text.sms_info("a" * length),
                    SmsInfo("gsm7", length, segments, per_segment, remaining),
                )
        self.assertParts("a" * 160, [160])
        self.assertParts("a" * 161, [153, 8])
        self.assertParts("a" * 307, [153, 153, 1])

    def test_gsm7_alphabet(self):
        basic = (
            "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
            "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
        )
        self.assertEqual(len(basic), 127)
        info = sms_text.sms_info(basic)
        self.assertEqual((info.encoding, info.length, info.segments), ("gsm7", 127, 1))
        # Latin letters that look harmless but are not in GSM 03.38
        for char in "çáêíóúâ`ÀÉ\tłő":
            if char in basic:
                continue
            with self.subTest(char=char):
                self.assertEqual(sms_text.sms_info(f"Merci {char}").encoding, "ucs2")

    def test_extension_characters_cost_two_septets(self):
        for char in "^{}\\[~]|€\f":
            with self.subTest(char=char):
                self.assertEqual(
                    sms_text.sms_info(char),
                    SmsInfo("gsm7", 2, 1, 160, 158),
                )
        self.assertEqual(sms_text.sms_info("Total: 10€").length, 11)
        self.assertEqual(sms_text.sms_info("€" * 80), SmsInfo("gsm7", 160, 1, 160, 0))
        # 76 pairs fill 152 septets, the 77th moves whole: 4 pairs + "a" = 9
        self.assertEqual(
            sms_text.sms_info("€" * 80 + "a"), SmsInfo("gsm7", 161, 2, 153, 144)
        )
        self.assertParts("€" * 80 + "a", [76, 5])

    def test_escape_pair_not_split_at_boundary(self):
        # 152 septets + "€" would need septets 153 and 154: it moves whole
        text = "a" * 152 + "€" + "b" * 10
        self.assertEqual(sms_text.sms_info(text), SmsInfo("gsm7", 164, 2, 153, 141))
        self.assertParts(text, [152, 11])
        self.assertEqual(sms_text.split_segments(text)[1], "€" + "b" * 10)
        # 151 septets + "€" ends exactly on the boundary
        text = "a" * 151 + "€" + "b" * 10
        self.assertEqual(sms_text.sms_info(text), SmsInfo("gsm7", 163, 2, 153, 143))
        self.assertParts(text, [152, 10])
        # a single message holds 160 septets, escape pairs included
        self.assertEqual(sms_text.sms_info("a" * 158 + "€").segments, 1)
        # 153 septets, then an escape pair that forces a third part
        text = "a" * 153 + "b" * 152 + "{"
        self.assertEqual(sms_text.sms_info(text), SmsInfo("gsm7", 307, 3, 153, 151))
        self.assertParts(text, [153, 152, 1])

    def test_cyrillic_is_ucs2(self):
        self.assertEqual(
            sms_text.sms_info("Спасибо за заказ"), SmsInfo("ucs2", 16, 1, 70, 54)
        )
        text = (
            "Спасибо за заказ! Мы уже собираем посылку и сообщим, когда "
            "курьер выедет к вам."
        )
        self.assertEqual(sms_text.sms_info(text), SmsInfo("ucs2", 79, 2, 67, 55))
        for length, segments, per_segment, remaining in [
            (70, 1, 70, 0),
            (71, 2, 67, 63),
            (134, 2, 67, 0),
            (135, 3, 67, 66),
        ]:
            with self.subTest(length=length):
                self.assertEqual(
                    sms_text.sms_info("Б" * length),
                    SmsInfo("ucs2", length, segments, per_segment, remaining),
                )
        self.assertParts("Б" * 71, [67, 4])

    def test_one_emoji_flips_latin_text_to_ucs2(self):
        text = "Hello " * 25
        self.assertEqual(sms_text.sms_info(text), SmsInfo("gsm7", 150, 1, 160, 10))
        # the emoji is outside the BMP: 2 UTF-16 code units, 150 + 2 = 152
        self.assertEqual(
            sms_text.sms_info(text + "🙂"), SmsInfo("ucs2", 152, 3, 67, 49)
        )
        self.assertParts(text + "🙂", [67, 67, 17])
        # a BMP symbol costs one unit
        self.assertEqual(sms_text.sms_info(text + "✓").length, 151)

    def test_surrogate_pair_not_split_at_boundary(self):
        self.assertEqual(sms_text.sms_info("😀"), SmsInfo("ucs2", 2, 1, 70, 68))
        self.assertEqual(sms_text.sms_info("😀" * 35), SmsInfo("ucs2", 70, 1, 70, 0))
        self.assertEqual(sms_text.sms_info("a" * 68 + "😀").segments, 1)
        # 66 units + 2 would cross the 67-unit boundary: the pair moves whole
        text = "a" * 66 + "😀" + "b" * 10
        self.assertEqual(sms_text.sms_info(text), SmsInfo("ucs2", 78, 2, 67, 55))
        self.assertParts(text, [66, 11])
        self.assertEqual(sms_text.split_segments(text)[1], "😀" + "b" * 10)
        # 65 units + 2 ends exactly on the boundary
        text = "a" * 65 + "😀" + "b" * 5
        self.assertEqual(sms_text.sms_info(text), SmsInfo("ucs2", 72, 2, 67, 62))
        self.assertParts(text, [66, 5])
        # every part stays within 67 units
        text = "😀" * 40
        parts = sms_text.split_segments(text)
        self.assertEqual([len(part) for part in parts], [33, 7])
        self.assertEqual(sms_text.sms_info(text), SmsInfo("ucs2", 80, 2, 67, 53))

    def test_cost(self):
        two_parts = "a" * 161
        three_parts = "a" * 400
        self.assertEqual(sms_text.cost(two_parts, Decimal("0.05")), Decimal("0.1000"))
        self.assertEqual(sms_text.cost(two_parts, 0.0335), Decimal("0.0670"))
        # float input goes through str(): 3 x 0.1 is 0.3000, not 0.30000000000000004
        self.assertEqual(sms_text.cost(three_parts, 0.1), Decimal("0.3000"))
        self.assertEqual(sms_text.cost("Б" * 71, "0.07"), Decimal("0.1400"))
        self.assertEqual(sms_text.cost("hi", 2), Decimal("2.0000"))
        # quantized to 4 places, half up
        self.assertEqual(sms_text.cost("hi", "0.00005"), Decimal("0.0001"))
        self.assertEqual(sms_text.cost("hi", Decimal("0.00004999")), Decimal("0.0000"))
        self.assertEqual(
            sms_text.cost(three_parts, Decimal("0.00125")), Decimal("0.0038")
        )
        self.assertEqual(sms_text.cost("hi", 0.1).as_tuple().exponent, -4)
        for price in (-0.01, "abc", float("nan"), Decimal("Infinity"), None, True):
            with self.subTest(price=price), self.assertRaises(ValueError):
                sms_text.cost("hi", price)

    def test_kannel_params(self):
        for text, coding in [
            ("Your order is ready", "0"),
            ("Total: 10€ {promo}", "0"),
            ("", "0"),
            ("Спасибо за заказ", "2"),
            ("Thanks 🙂", "2"),
        ]:
            with self.subTest(text=text):
                self.assertEqual(
                    sms_text.kannel_params(text),
                    {"coding": coding, "charset": "UTF-8"},
                )

    def test_marketing_text_says_how_to_stop(self):
        opt_out = "Reply STOP to opt out."
        self.assertEqual(
            sms_text.with_opt_out("Your cart waits. ", opt_out),
            "Your cart waits. Reply STOP to opt out.",
        )
        for said in ("Reply Stop to end.", "Ответьте STOP."):
            self.assertEqual(sms_text.with_opt_out(said, opt_out), said)
        self.assertEqual(
            sms_text.with_opt_out("Nonstop deals", opt_out),
            "Nonstop deals Reply STOP to opt out.",
        )
