"""A long export built by a real Celery worker, as the browser asks for it (docs/design.md §5.10)."""

import io
import time

import openpyxl
import pytest
from django.db import OperationalError
from django.urls import reverse

from registry.choices import ExportStatus
from registry.models import ExportJob

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def wait_for(job: ExportJob, status: str, seconds: float = 60) -> ExportJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            job.refresh_from_db()
        except OperationalError:
            # SQLite's in-memory test database locks whole tables while the worker writes.
            continue
        if job.status == status:
            return job
        time.sleep(0.2)
    raise AssertionError(f"export {job.pk} is {job.status}, not {status}, after {seconds} s")


def test_it_builds_a_long_export_in_a_worker(
    client_for, office_admin, department_a, file_account, worker, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REGISTRY_EXPORT_XLSX_SYNC_MAX_ROWS = 3
    for _ in range(5):
        file_account(department_a, operators=[{"name": "李四", "employment": "staff"}])
    client = client_for(office_admin)

    response = client.get(reverse("media_accounts_export_xlsx"))

    job = wait_for(ExportJob.objects.get(), ExportStatus.DONE)
    assert response.url == reverse("export_job_detail", args=[job.pk]) and job.rows_done == 5
    download = client.get(reverse("export_job_download", args=[job.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]
    assert sheet.max_row == 1 + 5
