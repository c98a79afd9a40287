"""The account export over the API in flat memory (docs/design.md §5.10, §11, §13): the CSV streams,
a short .xlsx streams from a file, a long one answers 202 with an export job whose file a worker
builds; a job and its file are its requester's alone."""

import io

import openpyxl
import pytest
from django.urls import reverse

from audits.trail.models import AuditEvent
from registry import spreadsheets
from registry.choices import ExportStatus, Platform
from registry.models import ExportJob, MediaAccount

API = "/api/v1"


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REGISTRY_EXPORT_XLSX_SYNC_MAX_ROWS = 3


@pytest.fixture
def accounts(file_account, department_a, department_b):
    for number in range(4):
        file_account(
            department_a,
            name=f"教育{number}",
            platform=Platform.WEIBO if number % 2 else Platform.WECHAT_OFFICIAL,
            operators=[{"name": "张三", "phone": "138", "employment": "staff"}],
        )
    file_account(department_b, name="卫健微博", platform=Platform.WEIBO)


@pytest.fixture
def export(django_capture_on_commit_callbacks):
    """``export(client, query, build=True)``: GET the list's .xlsx; with ``build`` the worker's task runs
    in the process when the request commits, as a worker would run it."""
    from config.celery import app

    def get(client, query=None, *, build=True):
        eager = app.conf.task_always_eager
        app.conf.task_always_eager = True
        try:
            with django_capture_on_commit_callbacks(execute=build):
                return client.get(f"{API}/media-accounts/", {"format": "xlsx", **(query or {})})
        finally:
            app.conf.task_always_eager = eager

    return get


def _content(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response.streaming, "a spreadsheet is streamed, never held whole in memory"
    return b"".join(response.streaming_content)


def _rows(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_it_streams_the_csv_with_the_content_it_had(api_for, office_admin, accounts):
    response = api_for(office_admin).get(f"{API}/media-accounts/", {"format": "csv", "platform": "weibo"})
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    accounts = MediaAccount.objects.filter(platform=Platform.WEIBO)
    assert _content(response) == spreadsheets.media_accounts_csv(accounts, user=office_admin)


def test_it_streams_a_short_xlsx_and_asks_for_no_job(api_for, admin_a, export, accounts):
    rows = _rows(_content(export(api_for(admin_a), {"platform": "weibo"})))
    assert sorted(row[3] for row in rows[1:]) == ["教育1", "教育3"]
    assert not ExportJob.objects.exists()


def test_it_answers_a_long_xlsx_with_a_job_a_worker_builds(api_for, office_admin, export, accounts):
    client = api_for(office_admin)
    response = export(client, {"ordering": "name"})
    assert response.status_code == 202 and response["Content-Type"] == "application/json"
    job = ExportJob.objects.get()
    answer = response.json()
    assert answer["url"].endswith(f"{API}/exports/{job.pk}/") and response["Location"] == answer["url"]
    assert (answer["kind"], answer["query"], answer["rows_total"]) == ("accounts", "ordering=name", 5)
    assert AuditEvent.objects.filter(action="registry.export.requested", object_id=str(job.pk)).exists()

    shown = client.get(answer["url"]).json()
    assert (shown["status"], shown["rows_done"], shown["rows_total"]) == (ExportStatus.DONE, 5, 5)
    built = _rows(_content(client.get(shown["download_url"])))
    at_once = spreadsheets.media_accounts_xlsx(MediaAccount.objects.order_by("name", "pk"), user=office_admin)
    assert built == _rows(at_once) and len(built) == 1 + 5


def test_it_shows_a_job_under_way_without_a_file(api_for, office_admin, export, accounts):
    client = api_for(office_admin)
    job_url = export(client, build=False).json()["url"]
    shown = client.get(job_url).json()
    assert (shown["status"], shown["rows_done"], shown["download_url"]) == (ExportStatus.QUEUED, 0, None)
    job = ExportJob.objects.get()
    assert client.get(f"{API}/exports/{job.pk}/download/").status_code == 404


def test_it_gives_a_job_to_its_requester_only(api_for, office_admin, auditor, admin_a, export, accounts):
    export(api_for(office_admin))
    job = ExportJob.objects.get()
    for user in (auditor, admin_a):
        client = api_for(user)
        for url in (f"{API}/exports/{job.pk}/", f"{API}/exports/{job.pk}/download/"):
            response = client.get(url)
            # Another's job reads as one that does not exist.
            assert response.status_code == 404 and response.json()["code"] == "not_found", url
        assert client.get(f"{API}/exports/").json()["results"] == []
    assert [row["id"] for row in api_for(office_admin).get(f"{API}/exports/").json()["results"]] == [job.pk]
    assert api_for().get(f"{API}/exports/{job.pk}/").status_code == 401


def test_it_answers_a_bad_filter_and_asks_for_nothing(api_for, office_admin, export, accounts):
    response = export(api_for(office_admin), {"status": "nope"})
    assert response.status_code == 400 and list(response.json()["fields"]) == ["status"]
    assert not ExportJob.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="registry.export").exists()


def test_it_downloads_the_browsers_job_through_the_api_too(client_for, api_for, office_admin, accounts):
    # One job, whichever door it came in by: the browser's job is in the API's list, and the reverse.
    client_for(office_admin).get(reverse("media_accounts_export_xlsx"))
    job = ExportJob.objects.get()
    assert api_for(office_admin).get(f"{API}/exports/{job.pk}/").json()["id"] == job.pk


def test_it_hands_the_file_to_a_client_asking_for_its_type(api_for, office_admin, export, accounts):
    client = api_for(office_admin)
    export(client)
    job = ExportJob.objects.get()
    sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    url = f"{API}/exports/{job.pk}/download/"
    assert len(_rows(_content(client.get(url, HTTP_ACCEPT=sheet)))) == 1 + 5
    missing = client.get(f"{API}/exports/{job.pk + 1}/download/", HTTP_ACCEPT=sheet)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
