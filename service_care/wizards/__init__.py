from . import service_care_consent_import, service_care_scenario_test, sms_composer
