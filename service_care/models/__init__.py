# A mixin first: models below inherit it.
from . import service_care_smart_button

# isort: split
from . import (
    mail_mail,
    product_product,
    product_template,
    res_company,
    res_company_cart_schedule,
    res_company_consent,
    res_config_settings,
    res_config_settings_consent,
    res_partner,
    res_partner_reach,
    sale_order,
    sale_order_checkout_consent,
    sale_order_line,
    sale_order_messages,
    sale_order_predictive_cart,
    service_care_attribution,
    service_care_batch_job,
    service_care_cart_builder,
    service_care_consent,
    service_care_customer_interval,
    service_care_demo,
    service_care_message,
    service_care_reminder,
    service_care_replenishment_report,
    service_care_scenario,
    service_care_scenario_run,
    service_care_scenario_run_event,
    service_care_scenario_step,
    service_care_scenario_variant,
    service_care_send_attempt,
    service_care_send_window,
    service_care_signed_link,
    service_care_sms_gateway,
    service_care_sms_gateway_sender,
    service_care_sms_report,
    service_care_waitlist,
    service_care_waitlist_notice,
    sms_sms,
    sms_template,
    sms_tracker,
    stock_picking,
    stock_quant,
)

# isort: split
# SQL views last: their tables must exist when they are created.
from . import service_care_message_report
