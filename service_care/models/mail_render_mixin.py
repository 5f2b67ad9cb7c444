# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging

from lxml import html
from markupsafe import Markup

from odoo import api, models
from odoo.tools import safe_eval

_logger = logging.getLogger(__name__)

# Set by the send pipeline around its rendering (see ``_render_template_qweb``).
RENDER_ONCE = "service_care_render_once"


class MailRenderMixin(models.AbstractModel):
    _inherit = "mail.render.mixin"

    @api.model
    def _render_template_qweb(
        self, template_src, model, res_ids, add_context=None, options=None
    ):
        """Compile a QWeb template once for all the records, then fill it per
        record, when the send pipeline renders (context ``RENDER_ONCE``).

        Odoo compiles the template again for every record: for a campaign,
        that is most of the time spent rendering. The source, the evaluation
        context, the restriction of non-editors and the error are Odoo's; a
        template that does not compile, or a record that fails, is left to
        Odoo's own method, which raises its usual error.
        """
        if (
            not self.env.context.get(RENDER_ONCE)
            or not template_src
            or len(res_ids) < 2
            or not self._has_unsafe_expression_template_qweb(template_src, model)
        ):
            return super()._render_template_qweb(
                template_src, model, res_ids, add_context=add_context, options=options
            )
        variables = self._render_eval_context()
        if add_context:
            variables.update(**add_context)
        options = dict(options or {})
        if (
            not self._unrestricted_rendering
            and not self.env.is_admin()
            and not self.env.user.has_group("mail.group_mail_template_editor")
        ):
            options["raise_on_forbidden_code_for_model"] = model
        qweb = self.env["ir.qweb"].with_context(**options)
        try:
            functions, name = qweb._compile(
                html.fragment_fromstring(template_src, create_parent="div")
            )
        except Exception:  # Odoo's method raises the error in its words
            _logger.info("service_care: template compiled the usual way", exc_info=True)
            return super()._render_template_qweb(
                template_src, model, res_ids, add_context=add_context, options=options
            )
        render = functions[name]
        results = {}
        for record in self.env[model].browse(res_ids):
            values = dict(variables, object=record)
            filled = qweb._prepare_environment(values)
            safe_eval.check_values(values)
            try:
                rendered = Markup("".join(render(filled, values)))
            except Exception:  # the same record through Odoo's method: its error
                results.update(
                    super()._render_template_qweb(
                        template_src, model, record.ids, add_context, options
                    )
                )
                continue
            # Without the <div> that wraps the template's nodes, as Odoo does.
            results[record.id] = rendered[5:-6]
        return results
