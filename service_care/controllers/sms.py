# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging

from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.http import request

from ..models.service_care_sms_gateway import DLR_PATH, MO_PATH

_logger = logging.getLogger(__name__)
TEXT = [("Content-Type", "text/plain; charset=utf-8")]


class ServiceCareSms(http.Controller):
    """Webhooks of the shop's SMS gateways: delivery reports and inbound SMS.

    Both URLs are signed (per SMS for reports, per gateway for inbound
    messages): a wrong token is a 403 and changes nothing. A report is only
    checked and stored here (``service.care.sms.report``), and applied by a
    cron; one that cannot be read is logged and acknowledged all the same, so
    that the gateway does not send it again and again.
    """

    def _adapter(self, gateway_id, token, sms_uuid=None):
        # sudo: gateways call without a session; the token is what proves
        # the call comes from one of them.
        adapter = (
            request.env["service.care.sms.gateway"]
            .sudo()
            ._webhook_adapter(gateway_id, token, sms_uuid)
        )
        if adapter is None:
            raise NotFound()
        if not adapter:
            _logger.warning("SMS webhook call with a wrong token refused")
            raise Forbidden()
        return adapter

    @http.route(
        f"{DLR_PATH}/<int:gateway_id>/<string:sms_uuid>/<string:token>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,
        save_session=False,
        sitemap=False,
    )
    def sms_delivery_report(self, gateway_id, sms_uuid, token, **fields):
        adapter = self._adapter(gateway_id, token, sms_uuid)
        try:
            report = adapter.parse_report(fields)
        except ValueError as error:
            _logger.warning("SMS delivery report for %s ignored: %s", sms_uuid, error)
        else:
            # sudo: the gateway is no user; the token checked by _adapter
            # proves the report is for an SMS this gateway was given.
            request.env["service.care.sms.report"].sudo()._enqueue(
                gateway_id, sms_uuid, report
            )
        return request.make_response(adapter.report_ack, TEXT)

    @http.route(
        f"{MO_PATH}/<int:gateway_id>/<string:token>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,
        save_session=False,
        sitemap=False,
    )
    def sms_inbound(self, gateway_id, token, **fields):
        adapter = self._adapter(gateway_id, token)
        try:
            inbound = adapter.parse_inbound(fields)
        except ValueError as error:
            _logger.warning("Inbound SMS ignored: %s", error)
        else:
            # sudo: the gateway is no user; the token checked by _adapter
            # proves the message came through this gateway.
            gateway = request.env["service.care.sms.gateway"].sudo().browse(gateway_id)
            gateway._receive_inbound(inbound)
        return request.make_response(adapter.inbound_ack, TEXT)
