"""Importing a first registration in the browser: upload, preview, confirm — all or nothing."""

import datetime
import io

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts import services as user_services
from accounts.choices import Role
from audits.trail.models import AuditEvent
from registry import services
from registry.choices import FilingStatus, ImportStatus, MediaAccountStatus
from registry.models import ImportJob, MediaAccount
from tests.permission_matrix import check_matrix

HEADER = ["序号", "单位代码", "主办单位", "账号名称", "平台", "平台账号ID", "网址", "认证", "功能定位"]


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


def _upload(upload, client, content: bytes, name="台账.xlsx"):
    return upload(client, reverse("media_accounts_import"), {"file": SimpleUploadedFile(name, content)})


def _stored():
    """The uploaded files still kept: a file is dropped once the worker has read it."""
    return [job.file_name for job in ImportJob.objects.all() if bytes(job.data)]


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
    upload, client_for, office_admin, department_a, department_b
):
    client = client_for(office_admin)
    preview = _upload(upload, client, _xlsx(*_good_rows()))
    assert preview.status_code == 200 and preview.context["errors"] == []
    assert [number for number, _bad, _cells in preview.context["rows"]] == [2, 3]
    assert "全部 2 行均通过检查。" in preview.text and "新城教育" in preview.text
    assert not MediaAccount.objects.exists()  # a preview writes nothing
    token = preview.context["confirm_form"]["job"].value()
    job = ImportJob.objects.get()
    assert (job.pk, job.uploaded_by, job.status) == (int(token), office_admin, ImportStatus.DONE)
    assert _stored() == []  # the worker read the file and kept its rows

    response = client.post(reverse("media_accounts_import_confirm"), {"job": token})
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
    job.refresh_from_db()
    assert job.imported_at and job.result == {}  # the rows are dropped once imported


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_it_imports_a_good_csv(upload, client_for, office_admin, department_a, department_b, encoding):
    lines = [",".join(HEADER)] + [",".join(str(cell) for cell in row) for row in _good_rows()]
    content = "\r\n".join(lines).encode(encoding)
    client = client_for(office_admin)
    preview = _upload(upload, client, content, name="台账.CSV")
    assert preview.context["errors"] == []
    client.post(
        reverse("media_accounts_import_confirm"), {"job": preview.context["confirm_form"]["job"].value()}
    )
    assert sorted(MediaAccount.objects.values_list("name", flat=True)) == ["健康新城", "新城教育"]


def test_it_lists_every_bad_row_by_number_and_column_and_writes_nothing(
    upload, client_for, office_admin, department_a, file_account
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
    response = _upload(upload, client_for(office_admin), _xlsx(*rows))
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
    assert _stored() == []  # nothing to confirm, so nothing kept


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("台账.txt", b"hello", "请上传 .xlsx 或 .csv 文件。"),
        ("台账.xls", b"\xd0\xcf\x11\xe0", "请上传 .xlsx 或 .csv 文件。"),
        ("台账.xlsx", "单位代码,账号名称\r\n".encode(), "文件不是有效的 Excel 工作簿（.xlsx）。"),
        ("台账.csv", b"\x00\x00binary", "文件不是 CSV 文本文件。"),
    ],
)
def test_it_refuses_a_file_of_the_wrong_type(upload, client_for, office_admin, name, content, message):
    response = _upload(upload, client_for(office_admin), content, name=name)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [message]
    assert _stored() == []


def test_it_refuses_an_oversized_file(upload, client_for, office_admin, settings, department_a):
    settings.REGISTRY_IMPORT_MAX_BYTES = 1024
    response = _upload(upload, client_for(office_admin), _xlsx(*_good_rows() * 50))
    assert response.context["form"].errors["file"] == ["文件超过 1.0\xa0KB。"]
    assert not MediaAccount.objects.exists()


def test_it_keeps_an_upload_to_the_user_who_made_it(
    upload, client_for, office_admin, department_a, department_b
):
    preview = _upload(upload, client_for(office_admin), _xlsx(*_good_rows()))
    token = preview.context["confirm_form"]["job"].value()
    colleague = user_services.user_create(
        actor=None, username="office2", password="x", role=Role.OFFICE_ADMIN, validate=False
    )
    response = client_for(colleague).post(reverse("media_accounts_import_confirm"), {"job": token})
    assert response.url == reverse("media_accounts_import")
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["上传的文件已失效，请重新上传。"]
    for bad in ("../../etc/passwd", "x"):
        response = client_for(office_admin).post(reverse("media_accounts_import_confirm"), {"job": bad})
        assert response.url == reverse("media_accounts_import")
    assert not MediaAccount.objects.exists()


def test_it_imports_nothing_when_the_registry_changed_since_the_preview(
    upload, client_for, office_admin, department_a, department_b, file_account
):
    client = client_for(office_admin)
    preview = _upload(upload, client, _xlsx(*_good_rows()))
    services.filing_submit_open(  # registered meanwhile
        actor=None, department=department_b, name="抢先登记", platform="weibo", platform_uid="wb_health"
    )
    response = client.post(
        reverse("media_accounts_import_confirm"), {"job": preview.context["confirm_form"]["job"].value()}
    )
    assert response.status_code == 200
    assert [(error.row, column) for error, column in response.context["errors"]] == [(3, "平台账号ID")]
    assert MediaAccount.objects.count() == 1
    assert _stored() == []


def test_it_offers_the_template_to_download(client_for, office_admin):
    response = client_for(office_admin).get(reverse("media_accounts_import_template"))
    assert "attachment" in response["Content-Disposition"]
    header = [cell.value for cell in openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0][1]]
    assert header[:4] == ["单位代码", "主办单位", "账号名称", "平台"]


# The template ------------------------------------------------------------------------------------

OPERATOR_HEADERS = [f"运维人员{n}{what}" for n in (1, 2, 3) for what in ("姓名", "电话", "用工性质")]


def _template(client) -> bytes:
    return client.get(reverse("media_accounts_import_template")).content


def _filled(template: bytes, *rows: dict) -> bytes:
    """The template with rows typed into its first sheet under the headers they name."""
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    for row in rows:
        sheet.append([row.get(header, "") for header in headers])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def test_it_imports_nothing_from_the_template_uploaded_unchanged(
    upload, client_for, office_admin, department_a
):
    client = client_for(office_admin)
    response = _upload(upload, client, _template(client), name="政务新媒体账号导入模板.xlsx")
    assert response.status_code == 200 and "confirm_form" not in response.context
    assert response.context["form"].errors["file"] == [
        "文件中没有要导入的账号：请在第一张工作表的表头下每行填写一个账号（“填写说明”中的示例不会导入）。"
    ]
    assert not MediaAccount.objects.exists() and _stored() == []


def test_it_refuses_the_example_row_wherever_it_is_left(upload, client_for, office_admin, department_a):
    # The example as the old template had it, in the first sheet: it must never register an account.
    example = {
        "单位代码": "edu",
        "主办单位": "区教育局",
        "账号名称": "新城教育",
        "平台": "微信公众号",
        "平台账号ID": "gh_0123456789ab",
        "认证": "是",
        "责任人": "张三",
    }
    real = {**example, "账号名称": "教育发布", "平台账号ID": "gh_edu"}
    client = client_for(office_admin)
    response = _upload(upload, client, _filled(_template(client), real, example))
    assert [(error.row, column, error.message) for error, column in response.context["errors"]] == [
        (3, "平台账号ID", "这是模板中的示例，不能导入：请删除该行，填写真实的账号。")
    ]
    assert response.context["confirm_form"] is None
    assert not MediaAccount.objects.exists() and _stored() == []


def test_it_offers_a_template_with_instructions_an_example_and_the_units(
    client_for, office_admin, department_a, department_b, sub_unit_a
):
    services.department_update(actor=office_admin, department=department_b, is_active=False)
    workbook = openpyxl.load_workbook(io.BytesIO(_template(client_for(office_admin))))
    assert workbook.sheetnames == ["备案登记表", "填写说明", "单位代码表"]
    form, guide, units = workbook.worksheets
    assert [cell.value for cell in form[1]][-9:] == OPERATOR_HEADERS
    assert form.max_row == 1  # nothing to import until the user fills it in
    guide_text = [[cell.value for cell in row] for row in guide.iter_rows()]
    assert [
        "平台账号ID",
        "必填",
        "账号在平台上的唯一标识，如公众号原始ID（gh_开头）、微博UID；不能与已登记的重复。",
    ] in ([row[:3] for row in guide_text])
    assert any("gh_0123456789ab" in row for row in guide_text)  # the example, on its own sheet
    assert [[cell.value for cell in row] for row in units.iter_rows()] == [
        ["单位代码", "单位名称", "单位类别", "上级单位"],
        ["gov", "新城区人民政府", "区政府", None],
        ["edu", "区教育局", "区直部门", None],
        ["edu-zsb", "区教育局招生办", "其他单位", "区教育局"],
    ]  # active units only, in the official order: the health commission was deactivated
    lists = {str(rule.sqref): rule.formula1 for rule in form.data_validations.dataValidation}
    assert lists["A2:A1001"] == "'单位代码表'!$A$2:$A$4"
    assert lists["D2:D1001"].startswith('"微信公众号,微信视频号,微博,')


def test_it_imports_a_filled_template_with_its_operators(
    upload, client_for, office_admin, department_a, department_b
):
    rows = [
        {
            "单位代码": "edu",
            "账号名称": "教育发布",
            "平台": "微信公众号",
            "平台账号ID": "gh_edu",
            "认证": "是",
            "运维人员1姓名": "李明",
            "运维人员1电话": "13912345678",
            "运维人员1用工性质": "在编人员",
            "运维人员2姓名": "王芳",
            "运维人员2用工性质": "外包服务",
        },
        {"单位代码": "health", "账号名称": "健康新城", "平台": "微博", "平台账号ID": "wb_health"},
    ]
    client = client_for(office_admin)
    preview = _upload(upload, client, _filled(_template(client), *rows))
    assert preview.context["errors"] == []
    client.post(
        reverse("media_accounts_import_confirm"), {"job": preview.context["confirm_form"]["job"].value()}
    )
    education, health = MediaAccount.objects.order_by("pk")
    assert list(education.operators.values_list("name", "phone", "employment")) == [
        ("李明", "13912345678", "staff"),
        ("王芳", "", "outsourced"),
    ]
    assert not health.operators.exists()
    event = AuditEvent.objects.get(action="registry.media_account.imported", object_id=str(education.pk))
    assert [operator["name"] for operator in event.changes["after"]["operators"]] == ["李明", "王芳"]


def test_it_names_every_bad_operator_cell_by_row_and_column(upload, client_for, office_admin, department_a):
    base = {"单位代码": "edu", "平台": "微博"}
    rows = [
        {**base, "账号名称": "一", "平台账号ID": "wb_1", "运维人员1电话": "13900000000"},  # no name
        {**base, "账号名称": "二", "平台账号ID": "wb_2", "运维人员2姓名": "赵六"},  # no employment
        {
            **base,
            "账号名称": "三",
            "平台账号ID": "wb_3",
            "运维人员3姓名": "钱七",
            "运维人员3用工性质": "临时工",
        },
        {
            **base,
            "账号名称": "四",
            "平台账号ID": "wb_4",
            "运维人员1姓名": "孙" * 51,
            "运维人员1用工性质": "在编人员",
        },
    ]
    client = client_for(office_admin)
    response = _upload(upload, client, _filled(_template(client), *rows))
    assert [(error.row, column, error.message) for error, column in response.context["errors"]] == [
        (2, "运维人员1姓名", "填写了电话或用工性质，请填写运维人员姓名。"),
        (3, "运维人员2用工性质", "请填写用工性质：在编人员、兼职人员或外包服务。"),
        (4, "运维人员3用工性质", "请填写用工性质：在编人员、兼职人员或外包服务。"),
        (5, "运维人员1姓名", "最多 50 个字（现有 51 个）。"),
    ]
    assert not MediaAccount.objects.exists()


def test_it_records_who_uploaded_what_and_how_it_was_read(upload, client_for, office_admin, department_a):
    client = client_for(office_admin)
    _upload(upload, client, _xlsx(*_good_rows()[:1]))
    job = ImportJob.objects.get()
    events = AuditEvent.objects.filter(action__startswith="registry.import.").order_by("pk")
    assert [(event.action, event.actor) for event in events] == [
        ("registry.import.uploaded", office_admin),
        ("registry.import.read", None),  # the worker's
    ]
    read = events[1].changes["after"]
    assert (read["status"], read["rows"], read["errors"]) == ("done", 1, 0)
    trail = client.get("/trail/").content.decode()
    assert "上传表格待导入" in trail and "上传的表格已读取" in trail and job.file_name in trail


def test_it_drops_checked_rows_left_unconfirmed_for_a_day(upload, client_for, office_admin, department_a):
    client = client_for(office_admin)
    job = _upload(upload, client, _xlsx(*_good_rows()[:1])).context["confirm_form"]["job"].value()
    a_day_ago = timezone.now() - datetime.timedelta(days=1, seconds=1)
    ImportJob.objects.filter(pk=job).update(finished_at=a_day_ago)
    _upload(upload, client, _xlsx(*_good_rows()[:1]))  # the next upload sweeps
    response = client.post(reverse("media_accounts_import_confirm"), {"job": job})
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["上传的文件已失效，请重新上传。"]
    assert ImportJob.objects.get(pk=job).result == {} and not MediaAccount.objects.exists()
