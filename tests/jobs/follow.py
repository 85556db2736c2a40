"""Playing the worker for shop jobs in tests, and reading a job's page."""

import time

from jobs.models import ACTIVE_JOB_STATUSES, ShopJob
from jobs.services.process import shop_job_process


def finish_jobs(timeout=30.0):
    """Process every active shop job to its end, as the background worker does."""
    deadline = time.monotonic() + timeout
    while True:
        active = list(
            ShopJob.objects.filter(status__in=ACTIVE_JOB_STATUSES).values_list("pk", flat=True)
        )
        if not active:
            return
        assert time.monotonic() < deadline, "shop jobs did not finish in time"
        for job_id in active:
            shop_job_process(job_id=job_id)


def job_outcome(page):
    """The final messages a job's page shows ("#job-outcome"), as text."""
    return [text for _, text in page.context["progress"].messages]


def follow_job(client, response):
    """After an action or a callback answered with the job's page: run the job, then show the
    page again, as staff see it once it is done."""
    assert response.status_code == 302, response.status_code
    finish_jobs()
    return client.get(response["Location"])
