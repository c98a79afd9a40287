"""Spreadsheet denial of service: files that weigh little and cost much to read.

A 33 KB workbook of 3.3 million empty ``<row/>`` (no ``<dimension>``) cost 112 s of CPU and killed
the gunicorn worker that read it; four at once left ``/healthz`` unanswered; 5 MB of blank CSV lines
cost 15 s. Now every import counts the rows as they stand in the file, blank ones included, before
any is skipped; an xlsx may unpack to what a full sheet needs and no more; a worker reads the file,
never the web process, and within a CPU-time budget (``registry/reading.py``).
"""

import io
import threading
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from registry.choices import ImportStatus
from registry.models import AccountMetric, ImportJob, MediaAccount
from registry.spreadsheets import MAX_SHEET_ROWS

pytestmark = pytest.mark.django_db

IMPORTS = ["/media-accounts/import/", "/metrics/import/"]

_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Target="xl/workbook.xml" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    b"</Relationships>"
)
_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    b"</Relationships>"
)


def _workbook(sheet_data: bytes, *, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal .xlsx whose one sheet (no ``<dimension>``) holds ``sheet_data``."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b"<sheetData>" + sheet_data + b"</sheetData></worksheet>",
        )
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return output.getvalue()


def empty_rows_workbook() -> bytes:
    """The penetration test's file: 3.3 million empty rows, about 33 KB."""
    return _workbook(b"<row/>" * 3_300_000)


def blank_lines_csv() -> bytes:
    """5 MB of blank lines."""
    return b"\r\n" * (5 * 2**20 // 2)


def zip_bomb() -> bytes:
    """A workbook with a member that unpacks to 64 MB of zeros, weighing some 64 KB."""
    return _workbook(b"", extra={"xl/media/padding.bin": bytes(64 * 2**20)})


def one_long_row() -> bytes:
    """One row of 600,000 empty cells: a single row and 2.4 MB unpacked, within every count and
    size, yet seconds of CPU to read."""
    return _workbook(b"<row>" + b"<c/>" * 600_000 + b"</row>")


TOO_MANY_ROWS = "表头下超过 10,000 行"

BOMBS = {
    "empty-rows.xlsx": (empty_rows_workbook, TOO_MANY_ROWS),
    "blank-lines.csv": (blank_lines_csv, TOO_MANY_ROWS),
    "zip-bomb.xlsx": (zip_bomb, "解压后数据量过大"),
}


@pytest.fixture
def office(client_for, office_admin):
    return client_for(office_admin)


@pytest.mark.parametrize("name", BOMBS)
@pytest.mark.parametrize("path", IMPORTS)
def test_it_answers_the_upload_at_once_and_reads_it_in_the_worker(
    office, office_admin, django_capture_on_commit_callbacks, path, name
):
    content = BOMBS[name][0]()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = office.post(path, {"file": SimpleUploadedFile(name, content)})
    job = ImportJob.objects.get()
    # The web request stored the file and answered: not a row of it was read there.
    assert response.status_code == 302 and response.url == f"/imports/{job.pk}/"
    assert (job.status, job.rows_read, bytes(job.data)) == (ImportStatus.QUEUED, 0, content)
    assert len(callbacks) == 1  # the worker's task, sent once the upload is committed
    page = office.get(response.url).content.decode()
    assert f'data-run-status-url="/imports/{job.pk}/status/"' in page
    assert office.get(f"/imports/{job.pk}/status/").json()["under_way"] is True


@pytest.mark.parametrize("name", BOMBS)
@pytest.mark.parametrize("path", IMPORTS)
def test_it_refuses_each_bomb_without_reading_it_through(office, upload, path, name):
    make, message = BOMBS[name]
    page = upload(office, path, {"file": SimpleUploadedFile(name, make())})
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and message in job.problem
    # The rows are counted as they stand, blank ones included: reading stops past the cap.
    assert job.rows_read <= MAX_SHEET_ROWS
    assert bytes(job.data) == b"" and job.result == {}
    assert page.status_code == 200 and message in page.context["form"].errors["file"][0]
    assert not MediaAccount.objects.exists() and not AccountMetric.objects.exists()


def test_it_counts_blank_rows_between_filled_ones(office, upload, department_a):
    """The cap holds whatever the mix: a header, one account, then blank rows past the cap."""
    header = "单位代码,账号名称,平台,平台账号ID\r\n".encode()
    content = header + "edu,新城教育,微信公众号,gh_edu\r\n".encode() + b",,,\r\n" * MAX_SHEET_ROWS
    page = upload(office, IMPORTS[0], {"file": SimpleUploadedFile("blank.csv", content)})
    assert TOO_MANY_ROWS in page.context["form"].errors["file"][0]


def test_it_stops_a_reading_past_its_cpu_budget(office, upload, settings):
    settings.REGISTRY_IMPORT_CPU_SECONDS = 1
    page = upload(office, "/metrics/import/", {"file": SimpleUploadedFile("long-row.xlsx", one_long_row())})
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and "读取该文件所需的时间或内存超出" in job.problem
    assert "读取该文件所需的时间或内存超出" in page.context["form"].errors["file"][0]


def test_it_stops_a_reading_past_its_memory_budget(office, upload, settings):
    settings.REGISTRY_IMPORT_MEMORY_BYTES = 32 * 2**20  # the long row's cells take far more
    upload(office, "/metrics/import/", {"file": SimpleUploadedFile("long-row.xlsx", one_long_row())})
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and "读取该文件所需的时间或内存超出" in job.problem


def test_it_shows_an_upload_only_to_its_uploader(office, upload, client_for, admin_a, auditor):
    upload(office, "/metrics/import/", {"file": SimpleUploadedFile("zip-bomb.xlsx", zip_bomb())})
    job = ImportJob.objects.get()
    for user in (admin_a, auditor, None):
        assert client_for(user).get(f"/imports/{job.pk}/").status_code in (404, 302)
        assert client_for(user).get(f"/imports/{job.pk}/status/").status_code in (404, 302)


# On the production-like site ----------------------------------------------------------------------


def _upload_on_site(site, client, path: str, name: str, content: bytes):
    token = client.cookies["csrftoken"]
    return client.post(
        f"{site.url}{path}",
        data={"csrfmiddlewaretoken": token},
        files={"file": (name, content)},
        allow_redirects=False,
        timeout=25,  # below gunicorn's 30 s: a request that reads the file would be killed there
    )


def test_it_keeps_the_site_answering_under_four_bombs_at_once(production_site):
    site = production_site
    site.start_worker()
    site.create_user("bomb-office")
    client = site.sign_in("bomb-office")
    content = empty_rows_workbook()
    answers = []

    def attack():
        answers.append(_upload_on_site(site, client, "/metrics/import/", "empty-rows.xlsx", content))

    attackers = [threading.Thread(target=attack) for _ in range(4)]
    for attacker in attackers:
        attacker.start()
    for attacker in attackers:
        attacker.join()
    assert [answer.status_code for answer in answers] == [302] * 4
    assert site.client().get(f"{site.url}/healthz", timeout=10).json()["status"] == "ok"

    for answer in answers:
        job_url = site.url + answer.headers["Location"]
        for _attempt in range(120):  # the worker reads them one after another
            status = client.get(f"{job_url}status/", timeout=10).json()
            if not status["under_way"]:
                break
            assert site.client().get(f"{site.url}/healthz", timeout=10).status_code == 200
            time.sleep(1)
        assert status["status"] == "failed" and status["rows_read"] <= MAX_SHEET_ROWS
        assert TOO_MANY_ROWS in client.get(job_url, timeout=10).text
