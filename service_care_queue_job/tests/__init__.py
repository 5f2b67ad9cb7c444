from . import test_job_runner, test_jobs
