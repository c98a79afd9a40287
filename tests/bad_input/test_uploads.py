"""Broken uploads (docs/design.md §13): the account import, the daily-figures import and the closure
evidence answer with the upload field's error (or the preview's row errors) and never a 500;
no row is written and no file is kept."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from registry.models import ImportJob
from tests.bad_input.conftest import unchanged
from tests.bad_input.test_forms import form_errors

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


ACCOUNT_HEADER = ["Unit code", "Account name", "Platform", "Platform account ID"]
METRIC_HEADER = ["Account ID", "Date", "Followers"]


def _zip(members: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return output.getvalue()


def _bomb() -> bytes:
    # 110 MB of zeros in a 110 kB workbook-shaped zip: far more than a full sheet unpacks to.
    return _zip(
        {"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>", "xl/padding.bin": b"\0" * 110 * 2**20}
    )


def _macro_workbook() -> bytes:
    good = zipfile.ZipFile(io.BytesIO(_xlsx([ACCOUNT_HEADER])))
    members = {name: good.read(name) for name in good.namelist()}
    return _zip({**members, "xl/vbaProject.bin": b"macros"})


# Files that cannot be read as a spreadsheet at all: (name, content).
BROKEN_SHEETS = [
    pytest.param("empty.xlsx", b"", id="an empty file"),
    pytest.param("picture.xlsx", PNG, id="a PNG renamed .xlsx"),
    pytest.param(
        "half.xlsx", _xlsx([ACCOUNT_HEADER, ["edu", "号", "weibo", "x"]])[:2000], id="a truncated xlsx"
    ),
    pytest.param("zip.xlsx", _zip({"readme.txt": b"hello"}), id="a zip that is no workbook"),
    pytest.param("macros.xlsx", _macro_workbook(), id="a workbook with macros"),
    pytest.param("utf16.csv", "单位代码,账号名称\r\n".encode("utf-16"), id="a CSV in UTF-16"),
    pytest.param("binary.csv", PNG, id="a PNG renamed .csv"),
    pytest.param("headers.csv", b"a,b,c\r\n1,2,3\r\n", id="a CSV without the template's columns"),
    pytest.param("blank.csv", b"\r\n\r\n,,\r\n", id="a CSV of blank lines"),
    pytest.param("quote.csv", b'"unclosed,\r\n' * 3, id="a CSV with a broken quote"),
    pytest.param("sheet.txt", b"Unit code,Account name\r\n", id="a .txt file"),
    pytest.param("noextension", b"Unit code,Account name\r\n", id="no extension"),
    pytest.param("sheet.xlsx.exe", b"MZ\x90\x00", id="an executable"),
]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _kept_files(media_root) -> list:
    """Files kept: under the media root, or an upload's file the worker has not dropped."""
    jobs = [job.file_name for job in ImportJob.objects.all() if bytes(job.data)]
    return [path for path in media_root.rglob("*") if path.is_file()] + jobs


def _stored(name: str, content: bytes) -> int:
    """How many import jobs an upload makes: none when the form refuses it (its type, no content)."""
    return 1 if name.lower().endswith((".xlsx", ".csv")) and content else 0


@pytest.fixture
def office(client_for, office_admin):
    return client_for(office_admin)


IMPORTS = ["/media-accounts/import/", "/metrics/import/", "/posts/import/"]
POST_HEADER = "Account ID,Post ID,Published at,Original or repost,Text,Reads\r\n"


@pytest.fixture
def unit(client_for, admin_a):
    return client_for(admin_a)


@pytest.mark.parametrize("path", IMPORTS)
@pytest.mark.parametrize(("name", "content"), BROKEN_SHEETS)
def test_it_refuses_a_file_that_is_no_spreadsheet(office, upload, media_root, path, name, content):
    with unchanged(uploads=_stored(name, content)):
        response = upload(office, path, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200, (response.status_code, response.content[:300])
    assert form_errors(response).get("file"), form_errors(response)
    assert not _kept_files(media_root)


@pytest.mark.parametrize("path", IMPORTS)
def test_it_refuses_a_zip_bomb(office, upload, media_root, path):
    with unchanged(uploads=1):
        response = upload(office, path, {"file": SimpleUploadedFile("bomb.xlsx", _bomb())})
    assert form_errors(response).get("file"), form_errors(response)
    assert not _kept_files(media_root)


@pytest.mark.parametrize("path", IMPORTS)
def test_it_refuses_a_file_over_the_size_limit(office, settings, media_root, path):
    settings.REGISTRY_IMPORT_MAX_BYTES = 1000
    content = b"Unit code,Account name,Platform,Platform account ID\r\n" + b"edu,x,weibo,y\r\n" * 200
    with unchanged():
        response = office.post(path, {"file": SimpleUploadedFile("big.csv", content)})
    assert form_errors(response).get("file"), form_errors(response)
    assert not _kept_files(media_root)


@pytest.mark.parametrize("path", IMPORTS)
@pytest.mark.parametrize("value", ["", "not a file", "x" * 10_000])
def test_it_refuses_a_field_that_is_not_a_file(office, path, value):
    with unchanged():
        response = office.post(path, {"file": value})
    assert form_errors(response).get("file"), form_errors(response)


# Readable files with bad rows: a preview listing them, no way to confirm, nothing written.
BAD_ROWS = [
    (
        "/media-accounts/import/",
        "formula.csv",
        b'Unit code,Account name,Platform,Platform account ID\r\nedu,=HYPERLINK("http://x"),weibo,y\r\n',
    ),
    ("/media-accounts/import/", "formula.xlsx", _xlsx([ACCOUNT_HEADER, ["edu", "=1+1", "weibo", "uid-f"]])),
    (
        "/media-accounts/import/",
        "unknown.csv",
        b"Unit code,Account name,Platform,Platform account ID\r\nnope,x,myspace,y\r\n",
    ),
    ("/metrics/import/", "formula.xlsx", _xlsx([METRIC_HEADER, ["=A1", "2024-01-01", 1]])),
    (
        "/metrics/import/",
        "huge.csv",
        b"Account ID,Date,Followers\r\n1,2024-01-01,99999999999999999999999\r\n",
    ),
    ("/metrics/import/", "dates.csv", b"Account ID,Date,Followers\r\n1,99999-01-01,1\r\n1,2024-02-30,1\r\n"),
    ("/metrics/import/", "unknown.csv", f"Account ID,Date,Followers\r\n{2**62},2024-01-01,1\r\n".encode()),
    ("/metrics/import/", "gbk.csv", "账号ID,日期,粉丝数\r\nabc,昨天,很多\r\n".encode("gb18030")),
    ("/posts/import/", "unknown.csv", f"{POST_HEADER}{2**62},p1,2024-01-01 09:00,original,x,1\r\n".encode()),
    ("/posts/import/", "times.csv", f"{POST_HEADER}1,p1,2024-02-30 25:00,original,x,1\r\n".encode()),
    ("/posts/import/", "huge.csv", f"{POST_HEADER}1,p1,2024-01-01 09:00,original,x,{10**30}\r\n".encode()),
    (
        "/posts/import/",
        "gbk.csv",
        "账号ID,发布时间,原创或转发,正文\r\nabc,昨天,发表,好\r\n".encode("gb18030"),
    ),
]


@pytest.mark.parametrize(("path", "name", "content"), BAD_ROWS, ids=[f"{p} {n}" for p, n, _c in BAD_ROWS])
def test_it_lists_the_bad_rows_and_offers_no_confirmation(
    office, upload, world, media_root, path, name, content
):
    with unchanged(uploads=1):
        response = upload(office, path, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200, (response.status_code, response.content[:300])
    assert response.context["errors"], "the preview names the bad rows"
    assert response.context["confirm_form"] is None
    assert not _kept_files(media_root)


def test_it_refuses_another_departments_account_in_the_figures_like_an_unknown_one(
    unit, upload, world, media_root
):
    def figures(pk):
        sheet = f"Account ID,Date,Followers\r\n{pk},2024-01-01,1\r\n".encode()
        return upload(unit, "/metrics/import/", {"file": SimpleUploadedFile("figures.csv", sheet)})

    with unchanged(uploads=2):
        foreign, unknown = figures(world["account_b"].pk), figures(2**62)
    assert [str(e.message) for e, _c in foreign.context["errors"]] == [
        str(e.message) for e, _c in unknown.context["errors"]
    ]
    assert foreign.context["confirm_form"] is None


@pytest.mark.parametrize("path", ["/media-accounts/import/confirm/", "/metrics/import/confirm/"])
@pytest.mark.parametrize("job", ["", "../../../etc/passwd", "a" * 10_000, "\x00" * 20, "1", str(2**62), "-1"])
def test_it_refuses_to_confirm_an_upload_that_is_not_there(office, path, job):
    with unchanged():
        response = office.post(path, {"job": job})
    assert response.status_code == 302


# The closure evidence: only a small raster image --------------------------------------------------

BAD_EVIDENCE = [
    pytest.param("notice.png", b"", id="an empty file"),
    pytest.param("notice.png", b"<html><script>alert(1)</script></html>", id="HTML renamed .png"),
    pytest.param("notice.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", id="an SVG"),
    pytest.param("notice.jpg", PNG, id="a PNG named .jpg"),
    pytest.param("notice.webp", b"RIFF\x00\x00\x00\x00WAVEfmt ", id="a WAV renamed .webp"),
    pytest.param("notice.exe", PNG, id="a PNG named .exe"),
    pytest.param("notice.png", PNG + b"\x00" * (5 * 2**20), id="an image over 5 MB"),
    pytest.param("notice.xlsx", _xlsx([ACCOUNT_HEADER]), id="a spreadsheet"),
]


@pytest.mark.parametrize(("name", "content"), BAD_EVIDENCE)
def test_it_refuses_evidence_that_is_not_a_small_image(unit, world, media_root, name, content):
    with unchanged():
        response = unit.post(
            f"/closure-orders/{world['order_a'].pk}/confirm/",
            {"evidence_file": SimpleUploadedFile(name, content), "note": "已关停"},
        )
    assert response.status_code == 200, (response.status_code, response.content[:300])
    assert form_errors(response).get("evidence_file"), form_errors(response)
    world["order_a"].refresh_from_db()
    assert world["order_a"].status == "open" and not world["order_a"].evidence_file
    assert not _kept_files(media_root)


def test_it_answers_evidence_for_another_departments_order_as_unknown(unit, world, media_root):
    upload = {"evidence_file": SimpleUploadedFile("notice.png", PNG), "note": "已关停"}
    with unchanged():
        foreign = unit.post(f"/closure-orders/{world['order_b'].pk}/confirm/", upload)
        unknown = unit.post(f"/closure-orders/{2**62}/confirm/", upload)
    assert foreign.status_code == unknown.status_code == 404
    assert not _kept_files(media_root)
