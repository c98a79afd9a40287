"""Daily figures in the browser: a day by hand on the account page, or a spreadsheet — all or nothing."""

import datetime
import io

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT
from django.urls import reverse
from django.utils import timezone

from registry.choices import Platform
from registry.metrics import check_metric_sheet, read_metric_sheet
from registry.models import AccountMetric, ImportJob
from tests.permission_matrix import check_matrix

HEADER = [
    "账号ID",
    "平台账号ID",
    "日期",
    "粉丝数",
    "发文数",
    "阅读数",
    "点赞数",
    "转发数",
    "评论数",
    "收到留言",
    "回复留言",
    "超期未回复",
]


def ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def account_a(file_account, department_a):
    return file_account(department_a, name="教育发布")


@pytest.fixture
def account_b(file_account, department_b):
    return file_account(department_b, name="健康发布", platform=Platform.WEIBO)


def _xlsx(*rows, header=HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(header)
    for row in rows:
        workbook.active.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _upload(upload, client, content: bytes, name="运营数据.xlsx"):
    return upload(client, reverse("metrics_import"), {"file": SimpleUploadedFile(name, content)})


def _stored():
    """The uploaded files still kept: a file is dropped once the worker has read it."""
    return [job.file_name for job in ImportJob.objects.all() if bytes(job.data)]


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# By hand ---------------------------------------------------------------------------------------


def _day(**figures):
    return {
        "date": ago(1).isoformat(),
        "followers": 1200,
        "posts": 2,
        "reads": 300,
        "likes": 5,
        "shares": 1,
        "comments": 0,
        "messages_received": 3,
        "messages_replied": 2,
        "messages_overdue": 1,
        **figures,
    }


def test_it_shows_the_day_form_and_the_trend_on_the_account_page(client_for, admin_a, account_a):
    page = client_for(admin_a).get(reverse("media_account_detail", args=[account_a.pk]))
    assert page.status_code == 200
    assert 'data-testid="metric-entry"' in page.text
    assert "近 12 周传播力指数" in page.text and "录入单日运营数据" in page.text
    # Yesterday, in the one format an <input type="date"> takes, whatever the language.
    assert f'type="date" name="date" value="{ago(1).isoformat()}"' in page.text


@pytest.mark.parametrize("persona", ["auditor", "admin_b"])
def test_it_offers_the_day_form_only_to_those_who_may_enter(
    client_for, personas, account_a, sub_unit_a, persona
):
    # admin_b cannot see account_a at all; auditors see it without the form.
    page = client_for(personas[persona]).get(reverse("media_account_detail", args=[account_a.pk]))
    assert 'data-testid="metric-entry"' not in page.text


def test_it_saves_a_day_entered_by_hand_and_replaces_it_when_entered_again(client_for, admin_a, account_a):
    client = client_for(admin_a)
    url = reverse("metric_entry", args=[account_a.pk])
    response = client.post(url, _day())
    assert response.status_code == 302 and response.url == reverse(
        "media_account_detail", args=[account_a.pk]
    )
    client.post(url, _day(followers=1300, posts=0))
    metric = AccountMetric.objects.get(media_account=account_a)
    assert (metric.followers, metric.posts, metric.messages_overdue) == (1300, 0, 1)
    account_a.refresh_from_db()
    assert account_a.followers == 1300


@pytest.mark.parametrize(
    ("figures", "field"),
    [({"date": ""}, "date"), ({"followers": "-1"}, "followers"), ({"reads": "很多"}, "reads")],
)
def test_it_marks_a_bad_value_and_saves_nothing(client_for, admin_a, account_a, figures, field):
    response = client_for(admin_a).post(reverse("metric_entry", args=[account_a.pk]), _day(**figures))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not AccountMetric.objects.exists()


def test_it_refuses_a_day_in_the_future(client_for, admin_a, account_a):
    response = client_for(admin_a).post(
        reverse("metric_entry", args=[account_a.pk]), _day(date=ago(-1).isoformat())
    )
    assert response.context["form"].errors == {"date": ["日期不能晚于今天。"]}


def test_it_lets_the_office_and_the_unit_enter_by_hand(client_for, personas, account_a):
    check_matrix(
        client_for,
        personas,
        "post",
        reverse("metric_entry", args=[account_a.pk]),
        data=_day(),
        content_type=MULTIPART_CONTENT,
        office=302,
        auditor=403,
        admin_a=302,
        admin_b=404,
        admin_gov=404,
        anonymous=302,
    )


# From a spreadsheet ----------------------------------------------------------------------------


def test_it_lets_the_office_and_the_units_upload(client_for, personas):
    for name in ("metrics_import", "metrics_import_template"):
        check_matrix(
            client_for,
            personas,
            "get",
            reverse(name),
            office=200,
            auditor=403,
            admin_a=200,
            admin_b=200,
            admin_gov=200,
            anonymous=302,
        )


def test_it_previews_a_good_file_then_saves_it_on_confirm(upload, client_for, admin_a, account_a):
    client = client_for(admin_a)
    content = _xlsx(
        [account_a.pk, "", ago(2), 100, 1, 50, 2, 1, 0, 0, 0, 0],
        ["", account_a.platform_uid, ago(1).strftime("%Y/%m/%d"), "1,200", 3, 80, "", "", "", "", "", ""],
    )
    preview = _upload(upload, client, content)
    assert preview.status_code == 200 and preview.context["errors"] == []
    assert [number for number, _bad, _cells in preview.context["rows"]] == [2, 3]
    assert not AccountMetric.objects.exists()  # a preview writes nothing
    token = preview.context["confirm_form"]["job"].value()

    response = client.post(reverse("metrics_import_confirm"), {"job": token})
    assert response.status_code == 302
    assert AccountMetric.objects.filter(media_account=account_a).count() == 2
    account_a.refresh_from_db()
    assert account_a.followers == 1200 and account_a.last_post_on == ago(1)
    job = ImportJob.objects.get()
    assert job.imported_at and job.result == {} and _stored() == []  # nothing kept once saved


def test_it_lists_every_bad_row_and_saves_nothing(upload, client_for, admin_a, account_a, account_b):
    content = _xlsx(
        [account_a.pk, "", ago(2), 100, 1, 0, 0, 0, 0, 0, 0, 0],
        [account_b.pk, "", ago(2), 100, 1, 0, 0, 0, 0, 0, 0, 0],  # another unit's account
        [999_999, "", ago(2), 100, 1, 0, 0, 0, 0, 0, 0, 0],  # no such account
        [account_a.pk, "", "昨天", -5, 1, 0, 0, 0, 0, 0, 0, 0],
        [account_a.pk, "", ago(2), "=1+1", 1, 0, 0, 0, 0, 0, 0, 0],
    )
    preview = _upload(upload, client_for(admin_a), content)
    errors = [(error.row, error.field) for error, _column in preview.context["errors"]]
    assert errors == [
        (3, "media_account"),
        (4, "media_account"),
        (5, "date"),
        (5, "followers"),
        (6, "followers"),
    ]
    messages = {error.row: error.message for error, _column in preview.context["errors"]}
    assert messages[3] == messages[4]  # another unit's account reads like one that does not exist
    assert preview.context["confirm_form"] is None
    assert not AccountMetric.objects.exists()


def test_it_refuses_a_file_without_the_columns(upload, client_for, admin_a):
    response = _upload(upload, client_for(admin_a), _xlsx(["x"], header=["账号名称", "粉丝"]))
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_it_saves_nothing_when_the_account_left_the_scope_since_the_preview(
    upload, client_for, admin_a, account_a, department_b
):
    from registry import services

    client = client_for(admin_a)
    token = (
        _upload(upload, client, _xlsx([account_a.pk, "", ago(1), 1, 1, 0, 0, 0, 0, 0, 0, 0]))
        .context["confirm_form"]["job"]
        .value()
    )
    services.media_account_update(actor=None, media_account=account_a, department=department_b)
    response = client.post(reverse("metrics_import_confirm"), {"job": token})
    assert response.context["errors"] and not AccountMetric.objects.exists()
    assert _messages(response)


def test_it_does_not_confirm_another_users_upload(upload, client_for, admin_a, office_admin, account_a):
    token = (
        _upload(upload, client_for(admin_a), _xlsx([account_a.pk, "", ago(1), 1, 1, 0, 0, 0, 0, 0, 0, 0]))
        .context["confirm_form"]["job"]
        .value()
    )
    response = client_for(office_admin).post(reverse("metrics_import_confirm"), {"job": token})
    assert response.url == reverse("metrics_import") and not AccountMetric.objects.exists()


def _template(client) -> bytes:
    return client.get(reverse("metrics_import_template")).content


def test_it_imports_nothing_from_the_template_uploaded_unchanged(upload, client_for, admin_a, account_a):
    # The example once sat in the form and named account 1: left in, it recorded figures for it.
    client = client_for(admin_a)
    response = _upload(upload, client, _template(client))
    assert response.context["form"].errors["file"] == [
        "文件中没有要导入的数据：请在第一张工作表的表头下每行填写一个账号一天的数据（“填写说明”中的示例不会导入）。"
    ]
    assert not AccountMetric.objects.exists() and _stored() == []


def test_it_refuses_the_example_row_wherever_it_is_left(upload, client_for, admin_a, account_a):
    workbook = openpyxl.load_workbook(io.BytesIO(_template(client_for(admin_a))))
    guide = [[cell.value for cell in row] for row in workbook["填写说明"].iter_rows()]
    header, example = guide[-2], guide[-1]
    form = workbook.worksheets[0]
    assert [cell.value for cell in form[1]] == header
    form.append([account_a.pk, None, ago(1).isoformat(), 10])
    form.append(example)
    output = io.BytesIO()
    workbook.save(output)
    response = _upload(upload, client_for(admin_a), output.getvalue())
    assert [(error.row, column, error.message) for error, column in response.context["errors"]] == [
        (3, "平台账号ID", "这是模板中的示例，不能导入：请删除该行，填写真实的账号。")
    ]
    assert not AccountMetric.objects.exists()


def test_it_offers_a_template_with_instructions_and_the_users_accounts(
    client_for, admin_a, account_a, account_b
):
    workbook = openpyxl.load_workbook(io.BytesIO(_template(client_for(admin_a))))
    assert workbook.sheetnames == ["运营数据", "填写说明", "账号表"]
    form, _guide, accounts = workbook.worksheets
    assert [cell.value for cell in form[1]] == HEADER and form.max_row == 1
    assert [[cell.value for cell in row] for row in accounts.iter_rows()] == [
        ["账号ID", "平台账号ID", "账号名称", "平台", "主办单位", "状态"],
        [account_a.pk, account_a.platform_uid, "教育发布", "微信公众号", "区教育局", "运营中"],
    ]  # the unit's own accounts only: the health commission's is not theirs to enter


def test_it_reads_a_csv_in_gb18030(db, admin_a, account_a):
    text = ",".join(HEADER[:5]) + f"\r\n{account_a.pk},,{ago(1).isoformat()},10,1\r\n"
    sheet = read_metric_sheet(text.encode("gb18030"), extension=".csv")
    checked = check_metric_sheet(admin_a, sheet)
    assert checked.errors == [] and checked.rows[0]["followers"] == 10 and checked.rows[0]["reads"] == 0


def test_it_asks_for_the_account_id_when_a_platform_id_is_on_two_platforms(
    db, admin_a, file_account, department_a
):
    wechat = file_account(department_a)
    file_account(department_a, platform=Platform.DOUYIN)
    from registry.models import MediaAccount

    MediaAccount.objects.filter(platform=Platform.DOUYIN).update(platform_uid=wechat.platform_uid)
    sheet = read_metric_sheet(_xlsx(["", wechat.platform_uid, ago(1), 1]), extension=".xlsx")
    (error,) = check_metric_sheet(admin_a, sheet).errors
    assert error.field == "platform_uid"
