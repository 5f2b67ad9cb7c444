from . import (
    loyalty_card,
    res_company,
    res_config_settings,
    res_partner,
    service_care_scenario_run,
    service_care_scenario_step,
)
