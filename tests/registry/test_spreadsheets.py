"""Exporting the account list as the registration form (备案登记表), and reading import files."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from config.downloads import XLSX_CONTENT_TYPE
from registry import spreadsheets
from registry.choices import Platform
from registry.models import Department, MediaAccount
from tests.permission_matrix import check_matrix

HEADERS = [
    "序号",
    "主办单位",
    "单位代码",
    "账号名称",
    "平台",
    "平台账号ID",
    "网址",
    "认证",
    "备案编号",
    "状态",
    "功能定位",
    "责任人",
    "互动功能",
    "粉丝数",
    "最近发布日期",
    "年度确认日期",
    "备案日期",
    "运维人员",
    "例外开设理由",
]


def _xlsx_rows(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _download(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# Export ------------------------------------------------------------------------------------------


def test_it_lets_every_signed_in_persona_export(client_for, personas, file_account, department_a):
    file_account(department_a)
    for name in ("media_accounts_export_xlsx", "media_accounts_export_csv"):
        check_matrix(
            client_for,
            personas,
            "get",
            reverse(name),
            office=200,
            auditor=200,
            admin_a=200,
            admin_b=200,
            admin_gov=200,
            anonymous=302,
        )


def test_it_exports_the_filtered_list_within_scope_as_xlsx(
    client_for, admin_a, department_a, department_b, file_account
):
    weibo = file_account(
        department_a,
        name="教育微博",
        platform=Platform.WEIBO,
        verified=True,
        functions=["information", "service"],
        responsible_person="王五",
        operators=[{"name": "张三", "phone": "138", "employment": "staff"}],
    )
    file_account(department_a, name="教育公众号")
    file_account(department_b, name="卫健微博", platform=Platform.WEIBO)
    response = client_for(admin_a).get(reverse("media_accounts_export_xlsx"), {"platform": "weibo"})
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    rows = _xlsx_rows(_download(response))
    assert rows[0] == HEADERS
    assert len(rows) == 2  # the other unit's Weibo account is out of scope, the WeChat one filtered out
    row = dict(zip(HEADERS, rows[1], strict=True))
    assert row["序号"] == 1 and row["主办单位"] == "区教育局" and row["单位代码"] == "edu"
    assert (row["账号名称"], row["平台"], row["平台账号ID"]) == ("教育微博", "微博", weibo.platform_uid)
    assert (row["认证"], row["互动功能"], row["状态"]) == ("是", "是", "运营中")
    assert row["备案编号"] == weibo.filing_number and row["功能定位"] == "信息发布、政务服务"
    assert row["运维人员"] == "张三（在编人员，138）"


def test_it_keeps_formula_like_text_as_text_in_xlsx(client_for, office_admin, department_a, file_account):
    file_account(department_a, name="=1+1", responsible_person="@SUM(A1)")
    content = _download(client_for(office_admin).get(reverse("media_accounts_export_xlsx")))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    name, person = sheet.cell(row=2, column=4), sheet.cell(row=2, column=12)
    assert (name.value, name.data_type) == ("=1+1", "s")
    assert (person.value, person.data_type) == ("@SUM(A1)", "s")
    assert b"<f>" not in _sheet_xml(content)


def _sheet_xml(content: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def test_it_exports_csv_in_utf8_with_bom_and_quotes_formula_like_cells(
    client_for, office_admin, department_a, file_account
):
    file_account(department_a, name="=1+1", responsible_person="-2", url="")
    file_account(department_a, name="+86热线")
    response = client_for(office_admin).get(reverse("media_accounts_export_csv"), {"ordering": "name"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = _csv_rows(_download(response))
    assert rows[0] == HEADERS
    names = [row[3] for row in rows[1:]]
    assert names == ["'+86热线", "'=1+1"]
    assert rows[2][11] == "'-2"


def test_it_answers_a_bad_filter_with_a_clear_message(client_for, office_admin):
    response = client_for(office_admin).get(reverse("media_accounts_export_xlsx"), {"platform": "myspace"})
    assert response.status_code == 400
    assert "筛选条件有误" in response.content.decode() and "platform" in response.content.decode()


@pytest.mark.parametrize("count", [10, 60])
def test_it_exports_in_a_fixed_number_of_queries(
    count, client_for, office_admin, department_a, file_account, django_assert_max_num_queries
):
    for _ in range(count):
        file_account(department_a, operators=[{"name": "甲", "employment": "staff"}])
    client = client_for(office_admin)
    for name in ("media_accounts_export_xlsx", "media_accounts_export_csv"):
        with django_assert_max_num_queries(EXPORT_QUERIES):
            content = _download(client.get(reverse(name)))
        assert content


# Measured: 6 (session, user, the accounts with their units and operators, and the session's save).
EXPORT_QUERIES = 7


def test_it_writes_the_xlsx_for_the_api_with_the_same_columns(office_admin, department_a, file_account):
    file_account(department_a, name="接口导出")
    rows = _xlsx_rows(spreadsheets.media_accounts_xlsx(MediaAccount.objects.all(), user=office_admin))
    assert rows[0] == HEADERS and rows[1][3] == "接口导出"
    csv_rows = _csv_rows(spreadsheets.media_accounts_csv(MediaAccount.objects.all(), user=office_admin))
    assert csv_rows[0] == HEADERS and csv_rows[1][3] == "接口导出"


# Reading an import -------------------------------------------------------------------------------


def _workbook(*rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def test_it_reads_rows_by_their_chinese_headers_with_row_numbers(db):
    content = _workbook(
        ["序号", "单位代码", "账号名称", "平台", "平台账号 ID", "认证"],
        [1, "edu", "教育发布", "微信公众号", 123456, True],
        [None, None, None, None, None, None],
        [3, "edu", "教育微博", "微博", "wb-1", "否"],
    )
    sheet = spreadsheets.read_import(content, extension=".xlsx")
    assert sheet.errors == []
    assert sheet.rows == [
        {
            "row": 2,
            "department_code": "edu",
            "name": "教育发布",
            "platform": "微信公众号",
            "platform_uid": "123456",
            "verified": "1",
        },
        {
            "row": 4,
            "department_code": "edu",
            "name": "教育微博",
            "platform": "微博",
            "platform_uid": "wb-1",
            "verified": "否",
        },
    ]


def test_it_refuses_a_formula_cell_by_row_and_column(db):
    content = _workbook(["单位代码", "账号名称", "平台", "平台账号ID"], ["edu", '=A1&"x"', "微博", "wb-1"])
    sheet = spreadsheets.read_import(content, extension=".xlsx")
    assert [(e.row, e.field, e.message) for e in sheet.errors] == [
        (2, "name", "不接受公式，请直接填写数值或文字。")
    ]


def test_it_reads_back_its_own_csv_export_quoting(db):
    content = "单位代码,账号名称,平台,平台账号ID\r\nedu,'=1+1,微博,wb-1\r\nedu,=SUM(1),微博,wb-2\r\n".encode(
        "gb18030"
    )
    sheet = spreadsheets.read_import(content, extension=".csv")
    assert sheet.rows[0]["name"] == "=1+1"
    assert [(e.row, e.field) for e in sheet.errors] == [(3, "name")]


@pytest.mark.parametrize(
    ("content", "extension", "message"),
    [
        (b"PK\x03\x04not really a zip", ".xlsx", "文件不是有效的 Excel 工作簿（.xlsx）。"),
        ("单位代码,账号名称\r\nedu,x\r\n".encode(), ".xlsx", "文件不是有效的 Excel 工作簿（.xlsx）。"),
        (b"\x00\x01\x02binary", ".csv", "文件不是 CSV 文本文件。"),
        (b"\xff\xfe\xfa\xfb\x81", ".csv", "CSV 文件的编码既不是 UTF-8 也不是 GB18030。"),
        (
            "账号名称,平台\r\nx,微博\r\n".encode(),
            ".csv",
            "文件缺少列“单位代码”、“平台账号ID”，请使用导入模板填写。",
        ),
        (b"", ".csv", "文件是空的。"),
    ],
)
def test_it_refuses_what_is_not_a_registration_form(db, content, extension, message):
    with pytest.raises(spreadsheets.SpreadsheetRejected) as rejected:
        spreadsheets.read_import(content, extension=extension)
    assert str(rejected.value.message) == message


def _with_first_sheet(workbook: bytes, sheet_xml: str) -> bytes:
    """The workbook with its first sheet's XML replaced."""
    source, out = zipfile.ZipFile(io.BytesIO(workbook)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            replaced = info.filename == "xl/worksheets/sheet1.xml"
            target.writestr(info, sheet_xml.encode() if replaced else source.read(info.filename))
    return out.getvalue()


def test_it_refuses_a_workbook_that_declares_xml_entities(db):
    # Entities are how "billion laughs" blow a few hundred bytes up to gigabytes. With defusedxml
    # (which openpyxl uses when installed) any entity is refused, even this harmless one that the
    # standard parser would expand into an ordinary cell.
    sheet = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol;</t></is></c></row></sheetData></worksheet>'
    )
    bomb = _with_first_sheet(spreadsheets.import_template_xlsx(Department.objects.none()), sheet)

    with pytest.raises(spreadsheets.SpreadsheetRejected) as rejected:
        spreadsheets.read_import(bomb, extension=".xlsx")
    assert str(rejected.value.message) == "无法读取该工作簿，请重新另存为 .xlsx 文件。"


def test_it_offers_a_template_whose_example_imports_nothing(db, department_a, office_admin):
    template = spreadsheets.import_template_xlsx(Department.objects.all())
    with pytest.raises(spreadsheets.SpreadsheetRejected) as rejected:
        spreadsheets.read_import(template, extension=".xlsx")
    assert str(rejected.value.message).startswith("文件中没有要导入的账号")
    # The example's headers and row, on the instructions sheet, are the form's: a clerk can follow it.
    guide = openpyxl.load_workbook(io.BytesIO(template))["填写说明"]
    rows = [[cell.value for cell in row] for row in guide.iter_rows()]
    header, example = rows[-2], rows[-1]
    assert header == [cell.value for cell in openpyxl.load_workbook(io.BytesIO(template)).worksheets[0][1]]
    assert dict(zip(header, example, strict=True))["运维人员1用工性质"] == "在编人员"
