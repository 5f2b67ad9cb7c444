# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging

from lxml import html
from markupsafe import Markup

from odoo import api, models
from odoo.tools import safe_eval
from odoo.tools.rendering_tools import parse_inline_template

from ..tools.remembered import remembered

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
        # A campaign shows the same prices to thousands: each formatted once.
        variables["format_amount"] = remembered(variables["format_amount"])
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

    @api.model
    def _render_template_inline_template(
        self, template_txt, model, res_ids, add_context=None, options=None
    ):
        """Check and compile each ``{{ expression }}`` once for all the
        records, then evaluate it per record, under ``RENDER_ONCE``.

        Odoo's ``safe_eval`` checks and compiles the expression again for
        every record and expression (the subject, the sender, the language).
        The check (``test_expr`` with Odoo's allowed opcodes), the globals
        and the restriction of non-editors are Odoo's: a template a user
        could not render, or a record that fails, goes through Odoo's method.
        """
        if (
            not self.env.context.get(RENDER_ONCE)
            or not template_txt
            or len(res_ids) < 2
            or not self._has_unsafe_expression_template_inline_template(
                str(template_txt), model
            )
            or (
                not self._unrestricted_rendering
                and not self.env.is_admin()
                and not self.env.user.has_group("mail.group_mail_template_editor")
            )
        ):
            return super()._render_template_inline_template(
                template_txt, model, res_ids, add_context, options
            )
        instructions = []
        try:
            for string, expression, default in parse_inline_template(str(template_txt)):
                code = expression and safe_eval.test_expr(
                    expression, safe_eval._SAFE_OPCODES, mode="eval"
                )
                instructions.append((string, code, default))
        except Exception:  # Odoo's method raises the error in its words
            return super()._render_template_inline_template(
                template_txt, model, res_ids, add_context, options
            )
        variables = self._render_eval_context()
        if add_context:
            variables.update(**add_context)
        safe_eval.check_values(variables)
        results = {}
        for record in self.env[model].browse(res_ids):
            # As safe_eval: a copy of the globals, with the restricted builtins.
            values = dict(variables, object=record, __builtins__=safe_eval._BUILTINS)
            parts = []
            try:
                for string, code, default in instructions:
                    parts.append(string)
                    if code:
                        result = safe_eval.unsafe_eval(code, values) or default
                        if result:
                            parts.append(str(result))
            except Exception:  # the same record through Odoo's method: its error
                results.update(
                    super()._render_template_inline_template(
                        template_txt, model, record.ids, add_context, options
                    )
                )
                continue
            results[record.id] = "".join(parts)
        return results
