# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import BaseCase

from ..tools.remembered import call_scope, recall, remembered


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


class TestToolsRecall(BaseCase):
    def _squares(self, calls):
        def compute(keys):
            calls.append(keys)
            return {key: key * key for key in keys}

        return compute

    def test_outside_a_call_every_key_is_computed_each_time(self):
        calls = []
        self.assertEqual(recall("square", [2, 3], self._squares(calls)), {2: 4, 3: 9})
        self.assertEqual(recall("square", [2], self._squares(calls)), {2: 4})
        self.assertEqual(calls, [[2, 3], [2]])

    def test_in_a_call_only_the_keys_not_seen_yet_are_computed(self):
        calls = []
        with call_scope():
            self.assertEqual(
                recall("square", [2, 3, 2], self._squares(calls)), {2: 4, 3: 9}
            )
            self.assertEqual(
                recall("square", [3, 4], self._squares(calls)), {3: 9, 4: 16}
            )
            # another kind of value is remembered apart
            self.assertEqual(recall("cube", [2], lambda keys: {2: 8}), {2: 8})
        self.assertEqual(calls, [[2, 3], [4]])

    def test_a_new_call_computes_again(self):
        calls = []
        with call_scope():
            recall("square", [2], self._squares(calls))
        with call_scope():
            recall("square", [2], self._squares(calls))
        self.assertEqual(calls, [[2], [2]])

    def test_a_call_inside_a_call_shares_its_memory_and_does_not_end_it(self):
        calls = []
        with call_scope():
            with call_scope():
                recall("square", [2], self._squares(calls))
            recall("square", [2], self._squares(calls))
        self.assertEqual(calls, [[2]])

    def test_an_error_forgets_nothing_and_ends_the_call(self):
        calls = []

        def failing(keys):
            raise ValueError("no price")

        with self.assertRaisesRegex(ValueError, "no price"), call_scope():
            recall("square", [2], self._squares(calls))
            recall("square", [3], failing)
        recall("square", [2], self._squares(calls))
        self.assertEqual(calls, [[2], [2]])
