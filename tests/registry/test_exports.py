"""Exports in flat memory (docs/design.md §5.10, §13): the CSV streams, a short .xlsx is streamed from
a temporary file, a long one is built by a worker into storage while its page follows it; the file
is its requester's alone and is removed a day later."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from audits.trail.models import AuditEvent
from config.downloads import XLSX_CONTENT_TYPE
from registry import exports, spreadsheets
from registry.choices import ExportStatus, Platform
from registry.models import Department, ExportJob, MediaAccount
from registry.tasks import build_export_job, remove_old_export_files

EXPORT = "media_accounts_export_xlsx"


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    """Built files go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REGISTRY_EXPORT_XLSX_SYNC_MAX_ROWS = 3


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """``ask(client, query, build=True)``: ask for the .xlsx as the browser does; with ``build`` the
    worker's task runs in the process when the request commits, as a worker would run it."""
    from config.celery import app

    def get(client, query=None, *, build=True):
        eager = app.conf.task_always_eager
        app.conf.task_always_eager = True
        try:
            with django_capture_on_commit_callbacks(execute=build):
                return client.get(reverse(EXPORT), query or {})
        finally:
            app.conf.task_always_eager = eager

    return get


@pytest.fixture
def five_accounts(file_account, department_a, department_b):
    for number in range(4):
        file_account(
            department_a,
            name=f"教育{number}",
            platform=Platform.WEIBO if number % 2 else Platform.WECHAT_OFFICIAL,
            operators=[{"name": "张三", "phone": "138", "employment": "staff"}],
        )
    file_account(department_b, name="卫健微博", platform=Platform.WEIBO)


def _rows(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _content(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response.streaming, "a spreadsheet is streamed, never held whole in memory"
    return b"".join(response.streaming_content)


def test_it_builds_a_short_xlsx_at_once_and_streams_it_from_a_file(
    client_for, office_admin, ask, five_accounts
):
    response = ask(client_for(office_admin), {"platform": Platform.WEIBO})
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    rows = _rows(_content(response))
    assert sorted(row[3] for row in rows[1:]) == ["卫健微博", "教育1", "教育3"]
    assert not ExportJob.objects.exists()


def test_it_has_a_worker_build_a_long_xlsx_with_the_rows_of_the_export_at_once(
    client_for, admin_a, ask, five_accounts
):
    client = client_for(admin_a)
    response = ask(client)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("export_job_detail", args=[job.pk])
    assert (job.status, job.requested_by, job.rows_total, job.rows_done) == (ExportStatus.DONE, admin_a, 4, 4)
    assert job.file.name.startswith("exports/") and default_storage.exists(job.file.name)

    page = client.get(response.url)
    assert 'data-testid="export-download"' in page.content.decode()
    built = _rows(_content(client.get(reverse("export_job_download", args=[job.pk]))))
    # The rows admin_a sees (their unit's four, not the other unit's), as the export at once writes them.
    at_once = _rows(
        spreadsheets.media_accounts_xlsx(MediaAccount.objects.restrict(admin_a, "view"), user=admin_a)
    )
    assert built == at_once and len(built) == 1 + 4

    event = AuditEvent.objects.get(action="registry.export.requested")
    assert (event.actor_id, event.object_id) == (admin_a.pk, str(job.pk))


def test_it_builds_the_filtered_list_it_was_asked_for(client_for, office_admin, ask, five_accounts):
    client = client_for(office_admin)
    ask(client, {"q": "教育", "ordering": "-name"})
    job = ExportJob.objects.get()
    assert job.query == "q=%E6%95%99%E8%82%B2&ordering=-name" and job.rows_total == 4
    rows = _rows(_content(client.get(reverse("export_job_download", args=[job.pk]))))
    assert [row[3] for row in rows[1:]] == ["教育3", "教育2", "教育1", "教育0"]


def test_it_shows_the_progress_of_the_worker_on_the_jobs_page(client_for, office_admin, ask, five_accounts):
    client = client_for(office_admin)
    response = ask(client, build=False)
    job = ExportJob.objects.get()
    page = client.get(response.url).content.decode()
    assert f'data-run-status-url="{reverse("export_job_status", args=[job.pk])}"' in page
    assert "写入的行数" in page and "0</span> / 5" in page
    assert client.get(reverse("export_job_download", args=[job.pk])).status_code == 404  # not built yet
    status = client.get(reverse("export_job_status", args=[job.pk])).json()
    assert (status["status"], status["under_way"], status["rows_read"], status["rows_total"]) == (
        "queued",
        True,
        0,
        5,
    )

    build_export_job.apply(args=[job.pk])  # what the worker runs

    status = client.get(reverse("export_job_status", args=[job.pk])).json()
    assert (status["status"], status["under_way"], status["rows_read"]) == ("done", False, 5)
    assert "data-run-status-url" not in client.get(response.url).content.decode()


def test_it_reports_progress_as_rows_are_written(office_admin, five_accounts, monkeypatch):
    monkeypatch.setattr(spreadsheets, "EXPORT_PROGRESS_EVERY", 2)
    reported = []
    rows = spreadsheets.write_media_accounts_xlsx(
        MediaAccount.objects.all(), io.BytesIO(), user=office_admin, progress=reported.append
    )
    assert rows == 5 and reported == [2, 4, 5]


def test_it_gives_a_job_to_its_requester_only(client_for, personas, office_admin, ask, five_accounts):
    ask(client_for(office_admin))
    job = ExportJob.objects.get()
    for name in ("export_job_detail", "export_job_status", "export_job_download"):
        url = reverse(name, args=[job.pk])
        assert client_for(office_admin).get(url).status_code == 200
        for persona in ("auditor", "admin_a", "admin_b", "admin_gov"):
            # Another's job reads as one that does not exist.
            assert client_for(personas[persona]).get(url).status_code == 404, (name, persona)
        assert client_for().get(url).status_code == 302
    assert client_for(office_admin).get(reverse("export_job_detail", args=[job.pk + 1])).status_code == 404


def test_it_answers_a_bad_filter_and_asks_for_nothing(client_for, office_admin, ask, five_accounts):
    response = ask(client_for(office_admin), {"platform": "myspace"})
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert not ExportJob.objects.exists() and not AuditEvent.objects.filter(
        action__startswith="registry.export"
    )


def test_it_removes_built_files_after_a_day(client_for, office_admin, ask, five_accounts):
    client = client_for(office_admin)
    ask(client)
    job = ExportJob.objects.get()
    name = job.file.name
    assert exports.export_files_remove(now=job.finished_at + datetime.timedelta(hours=23)) == 0
    assert default_storage.exists(name)

    assert exports.export_files_remove(now=job.finished_at + datetime.timedelta(hours=25)) == 1
    job.refresh_from_db()
    assert (job.status, job.file.name) == (ExportStatus.EXPIRED, "") and not default_storage.exists(name)
    assert client.get(reverse("export_job_download", args=[job.pk])).status_code == 404
    assert "不再保留" in client.get(reverse("export_job_detail", args=[job.pk])).content.decode()
    assert exports.export_files_remove(now=timezone.now() + datetime.timedelta(days=2)) == 0  # safe to repeat


def test_it_removes_old_files_every_hour():
    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == remove_old_export_files.name
    ]
    assert len(entries) == 1


def test_it_quotes_every_cell_people_typed_that_starts_like_a_formula(
    office_admin, department_a, file_account
):
    Department.objects.filter(pk=department_a.pk).update(name="=HYPERLINK(1)")
    file_account(
        department_a,
        name="=1+1",
        responsible_person="-2",
        exception_reason="@SUM(A1)",
        operators=[{"name": "+张三", "phone": "138", "employment": "staff"}],
    )
    content = spreadsheets.media_accounts_csv(MediaAccount.objects.all(), user=office_admin)
    header, row = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    cells = dict(zip(header, row, strict=True))
    assert (cells["主办单位"], cells["账号名称"], cells["责任人"]) == ("'=HYPERLINK(1)", "'=1+1", "'-2")
    assert cells["例外开设理由"] == "'@SUM(A1)" and cells["运维人员"].startswith("'+张三")
    assert not [cell for cell in row if cell.startswith(spreadsheets.FORMULA_STARTS)]


# Flat memory -------------------------------------------------------------------------------------


def _statements(export: str, queryset, user) -> tuple[int, int]:
    """The statements run when the first rows come out of the export, and in all."""
    seen = []
    with CaptureQueriesContext(connection) as queries:
        if export == "csv":
            chunks = spreadsheets.iter_media_accounts_csv(queryset, user=user)
            next(chunks)  # the header
            next(chunks)  # the first rows
            seen.append(len(queries))
            for _chunk in chunks:
                pass
        else:
            spreadsheets.write_media_accounts_xlsx(
                queryset, io.BytesIO(), user=user, progress=lambda rows: seen.append(len(queries))
            )
    return seen[0], len(queries)


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_it_reads_the_accounts_and_their_operators_in_one_statement(
    export, office_admin, department_a, file_account, monkeypatch
):
    for name in ("CHUNK_SIZE", "CSV_FLUSH_ROWS"):
        monkeypatch.setattr(spreadsheets, name, 4)
    monkeypatch.setattr(spreadsheets, "EXPORT_PROGRESS_EVERY", 1)
    accounts = MediaAccount.objects.all()
    for _ in range(8):
        file_account(department_a, operators=[{"name": "甲", "employment": "staff"}])
    first, eight = _statements(export, accounts, office_admin)
    # The accounts come with their operators, read through one cursor a chunk at a time (on
    # PostgreSQL the CSV is one COPY): the first rows come out after that one statement, and twice the
    # rows take no other.
    assert first == 1
    for _ in range(8):
        file_account(department_a, operators=[{"name": "甲", "employment": "staff"}])
    _first, sixteen = _statements(export, accounts, office_admin)
    assert sixteen == eight == 1


def test_it_lists_an_accounts_operators_in_the_order_entered_and_their_phones_to_those_who_act_for_it(
    office_admin, auditor, department_a, file_account
):
    file_account(
        department_a,
        name="三人运维",
        operators=[
            {"name": "乙", "phone": "139", "employment": "staff"},
            {"name": "甲", "phone": "", "employment": "staff"},
            {"name": "丙", "phone": "137", "employment": "staff"},
        ],
    )
    file_account(department_a, name="无人运维", operators=[])

    def operators(user) -> dict[str, str]:
        content = spreadsheets.media_accounts_csv(MediaAccount.objects.order_by("pk"), user=user)
        header, *rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
        return {row[3]: row[17] for row in rows}

    assert operators(office_admin) == {
        "三人运维": "乙（在编人员，139）；甲（在编人员）；丙（在编人员，137）",
        "无人运维": "",
    }
    hidden = "乙（在编人员）；甲（在编人员）；丙（在编人员）"
    assert operators(auditor) == {"三人运维": hidden, "无人运维": ""}


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database writes the CSV on PostgreSQL only"
)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_database_writes_the_same_csv_as_python_does(
    language, personas, department_a, sub_unit_a, department_b, file_account
):
    Department.objects.filter(pk=department_a.pk).update(name='教育局,"新"')
    file_account(
        department_a,
        name="=1+1",
        responsible_person="-2",
        exception_reason="第一行\n第二行,\r\n第三行",
        functions=["service", "information"],
        operators=[
            {"name": "乙", "phone": "139", "employment": "staff"},
            {"name": "+甲", "phone": "", "employment": "part_time"},
        ],
    )
    file_account(
        sub_unit_a,
        name='"引号"',
        platform=Platform.WEIBO,
        operators=[{"name": "丙", "phone": "137", "employment": "outsourced"}],
    )
    file_account(department_b, name="待审", approve=False, url="")
    file_account(department_b, name="无功能", functions=[], operators=[])
    MediaAccount.objects.filter(name="无功能").update(last_post_on=datetime.date(2026, 11, 30))
    lists = [MediaAccount.objects.all(), MediaAccount.objects.order_by("-followers", "name")]
    with translation.override(language):
        for persona in ("office", "admin_a", "auditor"):
            for accounts in lists:
                user = personas[persona]
                written = b"".join(spreadsheets.written_csv_rows(accounts.restrict(user), user=user))
                copied = b"".join(spreadsheets.copied_csv_rows(accounts.restrict(user), user=user))
                assert copied == written, (persona, copied.decode(), written.decode())
                assert written.count("乙".encode()) == 1
