# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import BaseCase

from ..tools.remembered import remembered


class TestToolsRemembered(BaseCase):
    def test_the_same_arguments_are_computed_once(self):
        calls = []

        def price(amount, currency, lang_code=False):
            calls.append((amount, currency, lang_code))
            return f"{currency} {amount:.2f}"

        format_amount = remembered(price)
        self.assertEqual(format_amount(9.5, "EUR"), "EUR 9.50")
        self.assertEqual(format_amount(9.5, "EUR"), "EUR 9.50")
        self.assertEqual(format_amount(9.5, "PLN"), "PLN 9.50")
        self.assertEqual(format_amount(9.5, "EUR", lang_code="pl_PL"), "EUR 9.50")
        self.assertEqual(len(calls), 3)

    def test_an_argument_that_cannot_be_a_key_is_computed_each_time(self):
        calls = []

        def total(amounts):
            calls.append(amounts)
            return sum(amounts)

        add = remembered(total)
        self.assertEqual(add([1, 2]), 3)
        self.assertEqual(add([1, 2]), 3)
        self.assertEqual(len(calls), 2)

    def test_an_error_of_the_function_is_its_own(self):
        def failing(value):
            raise ValueError(f"no {value}")

        with self.assertRaisesRegex(ValueError, "no 1"):
            remembered(failing)(1)
