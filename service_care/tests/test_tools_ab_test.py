from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.service_care.tools.ab_test import (
    VariantStats,
    assign_variant,
    monte_carlo_probability_best,
    probability_beats,
    probability_best,
    winner,
)

KEY = "scenario:12:partner:34:doc:sale.order,56"


def run_key(number):
    return f"scenario:12:partner:{number}:doc:sale.order,{number * 7}"


@tagged("service_care")
class TestAssignVariant(BaseCase):
    def test_same_key_same_variant(self):
        variants = [("A", 1), ("B", 1), ("C", 1)]
        first = assign_variant(KEY, variants)
        for _attempt in range(5):
            self.assertEqual(assign_variant(KEY, variants), first)
        # pinned: SHA-256 of the key, not hash(), so no process or Python version
        # may change an assignment already made
        # (KEY's digest maps to 0.5653 of the weights, run_key(1)'s to 0.9693)
        self.assertEqual(assign_variant(KEY, [("A", 0.5), ("B", 0.5)]), "B")
        self.assertEqual(assign_variant(KEY, [("A", 0.6), ("B", 0.4)]), "A")
        self.assertEqual(assign_variant(run_key(1), variants), "C")

    def test_weights_split_keys(self):
        counts = {"A": 0, "B": 0}
        for number in range(10000):
            counts[assign_variant(run_key(number), [("A", 70), ("B", 30)])] += 1
        self.assertAlmostEqual(counts["A"] / 10000, 0.70, delta=0.02)
        self.assertAlmostEqual(counts["B"] / 10000, 0.30, delta=0.02)
        # weights are relative: 0.7/0.3 and 7/3 assign every key the same way
        for number in range(500):
            with self.subTest(number=number):
                self.assertEqual(
                    assign_variant(run_key(number), [("A", 0.7), ("B", 0.3)]),
                    assign_variant(run_key(number), [("A", 7), ("B", 3)]),
                )

    def test_zero_weight_never_chosen(self):
        variants = [("off", 0), ("A", 1), ("paused", 0.0), ("B", 3), ("last", 0)]
        counts = {name: 0 for name, _weight in variants}
        for number in range(2000):
            counts[assign_variant(run_key(number), variants)] += 1
        self.assertEqual(counts["off"] + counts["paused"] + counts["last"], 0)
        self.assertAlmostEqual(counts["B"] / 2000, 0.75, delta=0.04)
        self.assertEqual(assign_variant(KEY, [("only", 2)]), "only")

    def test_invalid_assignments(self):
        cases = [
            ([], "at least one variant"),
            ([("A", 0), ("B", 0)], "weight above zero"),
            ([("A", 1), ("B", -1)], r"Variant 'B': the weight must be .* >= 0"),
            ([("A", float("nan"))], "finite number"),
            ([("A", float("inf"))], "finite number"),
            ([("A", 1), ("A", 2)], "unique"),
        ]
        for variants, message in cases:
            with (
                self.subTest(variants=variants),
                self.assertRaisesRegex(ValueError, message),
            ):
                assign_variant(KEY, variants)
        with self.assertRaisesRegex(ValueError, "key must be a string"):
            assign_variant(56, [("A", 1)])


@tagged("service_care")
class TestProbabilityBest(BaseCase):
    def test_clear_winner(self):
        a = VariantStats("A", 1000, 200)
        b = VariantStats("B", 1000, 100)
        probabilities = probability_best([a, b])
        self.assertGreater(probabilities["A"], 0.99)
        self.assertAlmostEqual(sum(probabilities.values()), 1.0)
        self.assertEqual(winner([a, b], min_sample=500), "A")
        self.assertEqual(winner([b, a], min_sample=500, threshold=0.999), "A")

    def test_equal_variants_no_winner(self):
        stats = [VariantStats("A", 1000, 100), VariantStats("B", 1000, 100)]
        probabilities = probability_best(stats)
        self.assertAlmostEqual(probabilities["A"], 0.5, places=9)
        self.assertAlmostEqual(probabilities["B"], 0.5, places=9)
        self.assertIsNone(winner(stats, min_sample=100))
        # nothing sent yet: no information, still even
        empty = [VariantStats("A", 0, 0), VariantStats("B", 0, 0)]
        self.assertAlmostEqual(probability_best(empty)["A"], 0.5, places=9)

    def test_below_min_sample(self):
        stats = [VariantStats("A", 1000, 200), VariantStats("B", 999, 100)]
        self.assertIsNone(winner(stats, min_sample=1000))
        self.assertEqual(winner(stats, min_sample=999), "A")

    def test_exact_agrees_with_monte_carlo(self):
        cases = [
            ((1000, 200), (1000, 100)),
            ((50, 3), (40, 5)),  # few successes: sum over successes
            ((100, 95), (80, 70)),  # few failures: sum over failures
            ((300, 150), (310, 160)),
            ((7, 2), (9, 8)),
            ((10, 0), (10, 10)),
        ]
        for first, second in cases:
            with self.subTest(first=first, second=second):
                stats = [VariantStats("A", *first), VariantStats("B", *second)]
                exact = probability_best(stats)
                sampled = monte_carlo_probability_best(stats, draws=20000, seed=3)
                # standard error <= 0.0035 at 20 000 draws
                self.assertAlmostEqual(exact["B"], sampled["B"], delta=0.015)
                # the exact form does not depend on the order or seed
                swapped = probability_best(stats[::-1], seed=9)
                self.assertAlmostEqual(swapped["A"], exact["A"], places=12)
                self.assertAlmostEqual(swapped["B"], exact["B"], places=12)

    def test_known_exact_values(self):
        # 2 of 7 vs 8 of 9 clicks; the order of the arguments is symmetric
        a, b = VariantStats("A", 7, 2), VariantStats("B", 9, 8)
        self.assertAlmostEqual(probability_beats(b, a), 0.99095, places=5)
        self.assertAlmostEqual(probability_beats(a, b), 1 - 0.99095, places=5)
        # one click each in 1 sent vs nothing sent: P(Beta(2,1) > Beta(1,1)) = 2/3
        self.assertAlmostEqual(
            probability_beats(VariantStats("B", 1, 1), VariantStats("A", 0, 0)),
            2 / 3,
            places=12,
        )

    def test_three_variants(self):
        stats = [
            VariantStats("A", 2000, 200),
            VariantStats("B", 2000, 260),
            VariantStats("C", 2000, 190),
        ]
        probabilities = probability_best(stats)
        self.assertEqual(list(probabilities), ["A", "B", "C"])
        self.assertAlmostEqual(sum(probabilities.values()), 1.0)
        self.assertGreater(probabilities["B"], 0.99)
        self.assertEqual(winner(stats, min_sample=1000), "B")
        # deterministic for a seed
        self.assertEqual(
            probability_best(stats, seed=7), probability_best(stats, seed=7)
        )
        # a close race between two of three: no winner at 0.9
        close = [
            VariantStats("A", 2000, 200),
            VariantStats("B", 2000, 205),
            VariantStats("C", 2000, 150),
        ]
        probabilities = probability_best(close)
        self.assertLess(probabilities["C"], 0.01)
        self.assertAlmostEqual(probabilities["A"] + probabilities["B"], 1, delta=0.01)
        self.assertIsNone(winner(close, min_sample=1000))

    def test_conversions_metric(self):
        # B is clicked more, A converts more
        stats = [
            VariantStats("A", 1000, 100, conversions=60, revenue=4200.0),
            VariantStats("B", 1000, 180, conversions=20, revenue=1500.0),
        ]
        self.assertEqual(winner(stats, min_sample=500), "B")
        self.assertEqual(winner(stats, min_sample=500, metric="conversions"), "A")
        self.assertAlmostEqual(stats[0].rate("conversions"), 0.06)
        self.assertEqual(VariantStats("A", 0, 0).rate(), 0.0)

    def test_single_variant(self):
        only = [VariantStats("A", 100, 10)]
        self.assertEqual(probability_best(only), {"A": 1.0})
        self.assertEqual(winner(only, min_sample=100), "A")
        self.assertIsNone(winner(only, min_sample=101))

    def test_invalid_stats(self):
        with self.assertRaisesRegex(ValueError, r"'A': 11 clicks out of 10 sent"):
            probability_best([VariantStats("A", 10, 11), VariantStats("B", 10, 1)])
        with self.assertRaisesRegex(ValueError, r"'B': 3 conversions out of 2 sent"):
            winner(
                [VariantStats("A", 10, 1), VariantStats("B", 2, 0, conversions=3)],
                min_sample=0,
                metric="conversions",
            )
        # the check holds even when the sample is too small to decide
        with self.assertRaisesRegex(ValueError, "out of"):
            winner([VariantStats("A", 1, 2)], min_sample=100)
        with self.assertRaisesRegex(ValueError, "clicks must be a non-negative"):
            VariantStats("A", 10, -1)
        with self.assertRaisesRegex(ValueError, "sent must be a non-negative"):
            VariantStats("A", 10.5, 1)
        with self.assertRaisesRegex(ValueError, "needs a name"):
            VariantStats("", 10, 1)
        with self.assertRaisesRegex(ValueError, "unique"):
            probability_best([VariantStats("A", 10, 1), VariantStats("A", 10, 2)])
        with self.assertRaisesRegex(ValueError, "at least one variant"):
            probability_best([])
        with self.assertRaisesRegex(ValueError, "Unknown metric 'revenue'"):
            probability_best([VariantStats("A", 10, 1)], metric="revenue")
        stats = [VariantStats("A", 10, 1), VariantStats("B", 10, 2)]
        with self.assertRaisesRegex(ValueError, "threshold must be above 0.5"):
            winner(stats, min_sample=1, threshold=0.5)
        with self.assertRaisesRegex(ValueError, "threshold must be above 0.5"):
            winner(stats, min_sample=1, threshold=1.1)
        with self.assertRaisesRegex(ValueError, "min_sample must be >= 0"):
            winner(stats, min_sample=-1)
        with self.assertRaisesRegex(ValueError, "draws must be a positive integer"):
            monte_carlo_probability_best(stats, draws=0)
