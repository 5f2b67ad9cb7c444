# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class ServiceCareSmartButtonMixin(models.AbstractModel):
    """The "count + open the list" pair behind a smart button, written once.

    A model showing Service Care records on its form computes the figure with
    ``_care_count_related`` (one grouped query for all the records) and opens
    the list with ``_care_related_action``.
    """

    _name = "service.care.smart.button.mixin"
    _description = "Service Care Smart Buttons"

    def _care_count_related(self, model, field, domain=()):
        """``{record id: how many rows of model point to it through field}``.

        :param domain: more conditions on the counted rows
        """
        groups = self.env[model]._read_group(
            [(field, "in", self.ids), *domain], [field], ["__count"]
        )
        return {
            key.id if isinstance(key, models.BaseModel) else key: count
            for key, count in groups
        }

    def _care_related_action(self, xmlid, domain, context=None):
        """The window action ``xmlid`` on ``domain``; by default it creates nothing."""
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = domain
        action["context"] = {"create": False} if context is None else context
        return action
