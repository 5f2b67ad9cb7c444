# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _care_birthday_cards(self, year):
        """{partner: their birthday coupon of ``year``}."""
        # sudo: the greeting reads the coupons it gave, whoever renders it
        cards = (
            self.env["loyalty.card"]
            .sudo()
            .search(
                [("partner_id", "in", self.ids), ("care_birthday_year", "=", year)],
                order="id",
            )
        )
        return {card.partner_id: card for card in cards}

    def _compute_care_birthday_coupon_code(self):
        """This year's birthday coupon, while it can still be used."""
        today = fields.Date.context_today(self)
        cards = self._care_birthday_cards(today.year)
        for partner in self:
            card = cards.get(partner)
            usable = (
                card
                and card.points > 0
                and (not card.expiration_date or card.expiration_date >= today)
            )
            partner.care_birthday_coupon_code = card.code if usable else False
