from . import service_care_scenario_test, sms_composer
