"""Importing a first registration in the browser: upload, preview, confirm — all or nothing."""

import io

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import services as user_services
from accounts.choices import Role
from registry import services
from registry.choices import FilingStatus, MediaAccountStatus
from registry.models import MediaAccount
from tests.permission_matrix import check_matrix

HEADER = ["序号", "单位代码", "主办单位", "账号名称", "平台", "平台账号ID", "网址", "认证", "功能定位"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _xlsx(*rows, header=HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(header)
    for row in rows:
        workbook.active.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _good_rows():
    return [
        [
            1,
            "edu",
            "区教育局",
            "新城教育",
            "微信公众号",
            "gh_edu",
            "https://mp.weixin.qq.com/edu",
            "是",
            "信息发布、政务服务",
        ],
        [2, "health", "区卫生健康委", "健康新城", "微博", "wb_health", "", "否", "互动交流"],
    ]


def _upload(client, content: bytes, name="台账.xlsx"):
    return client.post(reverse("media_accounts_import"), {"file": SimpleUploadedFile(name, content)})


def _stored(media_root):
    directory = media_root / "imports"
    return sorted(path.name for path in directory.iterdir()) if directory.exists() else []


def test_it_lets_only_the_office_import(client_for, personas):
    for name in ("media_accounts_import", "media_accounts_import_template"):
        check_matrix(
            client_for,
            personas,
            "get",
            reverse(name),
            office=200,
            auditor=403,
            admin_a=403,
            admin_b=403,
            admin_gov=403,
            anonymous=302,
        )
    check_matrix(
        client_for,
        personas,
        "post",
        reverse("media_accounts_import_confirm"),
        office=302,
        auditor=403,
        admin_a=403,
        admin_b=403,
        admin_gov=403,
        anonymous=302,
    )


def test_it_previews_a_good_xlsx_then_imports_it_on_confirm(
    client_for, office_admin, department_a, department_b, media_root
):
    client = client_for(office_admin)
    preview = _upload(client, _xlsx(*_good_rows()))
    assert preview.status_code == 200 and preview.context["errors"] == []
    assert [number for number, _bad, _cells in preview.context["rows"]] == [2, 3]
    assert "全部 2 行均通过检查。" in preview.text and "新城教育" in preview.text
    assert not MediaAccount.objects.exists()  # a preview writes nothing
    token = preview.context["confirm_form"]["token"].value()
    (stored,) = _stored(media_root)
    assert stored == f"{office_admin.pk}-accounts-{token}.xlsx"

    response = client.post(reverse("media_accounts_import_confirm"), {"token": token})
    assert response.url == reverse("media_account_list")
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["已导入 2 个账号。"]
    first, second = MediaAccount.objects.order_by("pk")
    assert (first.name, first.department, first.status, first.functions) == (
        "新城教育",
        department_a,
        MediaAccountStatus.ACTIVE,
        ["information", "service"],
    )
    assert first.filing_number and second.department == department_b and not second.verified
    assert first.filings.get().status == FilingStatus.APPROVED
    assert _stored(media_root) == []  # the upload is deleted once imported


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_it_imports_a_good_csv(client_for, office_admin, department_a, department_b, encoding):
    lines = [",".join(HEADER)] + [",".join(str(cell) for cell in row) for row in _good_rows()]
    content = "\r\n".join(lines).encode(encoding)
    client = client_for(office_admin)
    preview = _upload(client, content, name="台账.CSV")
    assert preview.context["errors"] == []
    client.post(
        reverse("media_accounts_import_confirm"), {"token": preview.context["confirm_form"]["token"].value()}
    )
    assert sorted(MediaAccount.objects.values_list("name", flat=True)) == ["健康新城", "新城教育"]


def test_it_lists_every_bad_row_by_number_and_column_and_writes_nothing(
    client_for, office_admin, department_a, file_account, media_root
):
    existing = file_account(department_a, name="已登记")
    rows = [
        [1, "edu", "", "好的一行", "微信公众号", "gh_ok", "", "是", ""],
        [2, "nope", "", "单位不存在", "微博", "wb_1", "", "否", ""],
        [3, "edu", "", "平台不对", "火星", "mars_1", "", "否", ""],
        [4, "edu", "", "ID 已登记", "微信公众号", existing.platform_uid, "", "否", ""],
        [5, "edu", "", "", "微博", "wb_2", "不是网址", "也许", ""],
        [6, "edu", "", "公式", "微博", "wb_3", "", "否", "=B2"],
    ]
    response = _upload(client_for(office_admin), _xlsx(*rows))
    found = {(error.row, column) for error, column in response.context["errors"]}
    assert found == {
        (3, "单位代码"),
        (4, "平台"),
        (5, "平台账号ID"),
        (6, "账号名称"),
        (6, "网址"),
        (6, "认证"),
        (7, "功能定位"),
    }
    assert response.context["confirm_form"] is None
    assert "发现 7 处问题，未导入任何账号。" in response.text
    assert "单位代码“nope”不存在。" in response.text and "不接受公式，请直接填写数值或文字。" in response.text
    assert MediaAccount.objects.count() == 1
    assert _stored(media_root) == []  # nothing to confirm, so nothing kept


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("台账.txt", b"hello", "请上传 .xlsx 或 .csv 文件。"),
        ("台账.xls", b"\xd0\xcf\x11\xe0", "请上传 .xlsx 或 .csv 文件。"),
        ("台账.xlsx", "单位代码,账号名称\r\n".encode(), "文件不是有效的 Excel 工作簿（.xlsx）。"),
        ("台账.csv", b"\x00\x00binary", "文件不是 CSV 文本文件。"),
    ],
)
def test_it_refuses_a_file_of_the_wrong_type(client_for, office_admin, media_root, name, content, message):
    response = _upload(client_for(office_admin), content, name=name)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [message]
    assert _stored(media_root) == []


def test_it_refuses_an_oversized_file(client_for, office_admin, settings, department_a):
    settings.REGISTRY_IMPORT_MAX_BYTES = 1024
    response = _upload(client_for(office_admin), _xlsx(*_good_rows() * 50))
    assert response.context["form"].errors["file"] == ["文件超过 1.0\xa0KB。"]
    assert not MediaAccount.objects.exists()


def test_it_keeps_an_upload_to_the_user_who_made_it(client_for, office_admin, department_a, department_b):
    preview = _upload(client_for(office_admin), _xlsx(*_good_rows()))
    token = preview.context["confirm_form"]["token"].value()
    colleague = user_services.user_create(
        actor=None, username="office2", password="x", role=Role.OFFICE_ADMIN, validate=False
    )
    response = client_for(colleague).post(reverse("media_accounts_import_confirm"), {"token": token})
    assert response.url == reverse("media_accounts_import")
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["上传的文件已失效，请重新上传。"]
    for bad in ("../../etc/passwd", "x"):
        response = client_for(office_admin).post(reverse("media_accounts_import_confirm"), {"token": bad})
        assert response.url == reverse("media_accounts_import")
    assert not MediaAccount.objects.exists()


def test_it_imports_nothing_when_the_registry_changed_since_the_preview(
    client_for, office_admin, department_a, department_b, file_account, media_root
):
    client = client_for(office_admin)
    preview = _upload(client, _xlsx(*_good_rows()))
    services.filing_submit_open(  # registered meanwhile
        actor=None, department=department_b, name="抢先登记", platform="weibo", platform_uid="wb_health"
    )
    response = client.post(
        reverse("media_accounts_import_confirm"), {"token": preview.context["confirm_form"]["token"].value()}
    )
    assert response.status_code == 200
    assert [(error.row, column) for error, column in response.context["errors"]] == [(3, "平台账号ID")]
    assert MediaAccount.objects.count() == 1
    assert _stored(media_root) == []


def test_it_offers_the_template_to_download(client_for, office_admin):
    response = client_for(office_admin).get(reverse("media_accounts_import_template"))
    assert "attachment" in response["Content-Disposition"]
    header = [cell.value for cell in openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0][1]]
    assert header[:4] == ["单位代码", "主办单位", "账号名称", "平台"]
