from . import service_care_batch_job
