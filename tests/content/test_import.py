"""Posts from a sheet, a unit's third way in: upload, check every row, confirm — all or nothing — and
the wording scan follows."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audits.inspections.models import Finding
from content import services
from content.choices import Lexicon
from content.models import Post
from tests.permission_matrix import check_matrix


@pytest.fixture
def account_a(file_account, department_a):
    return file_account(department_a, name="教育发布")


@pytest.fixture
def account_b(file_account, department_b):
    return file_account(department_b, name="健康发布")


def csv(*rows) -> bytes:
    header = "账号ID,平台账号ID,内容ID,发布时间,原创或转发,标题,正文,网址,阅读数,点赞数,评论数,转发数\n"
    return (header + "".join(",".join(str(cell) for cell in row) + "\n" for row in rows)).encode()


def yesterday(time: str) -> str:
    return f"{timezone.localdate() - datetime.timedelta(days=1):%Y/%m/%d} {time}"


def test_a_unit_imports_its_posts_and_they_are_checked(
    upload, client_for, admin_a, office_admin, account_a, inline_worker
):
    services.lexicon_entry_create(
        actor=office_admin, lexicon=Lexicon.MISUSED, term="再接再励", correct_form="再接再厉"
    )
    client = client_for(admin_a)
    content = csv(
        [
            account_a.pk,
            "",
            "a1",
            yesterday("09:30"),
            "原创",
            "开学",
            "再接再励，办好教育。",
            "",
            '"1,200"',
            30,
            "",
            "",
        ],
        ["", account_a.platform_uid, "", yesterday("15:00"), "转发", "转发要闻", "", "", "", "", "", ""],
    )
    preview = upload(client, reverse("posts_import"), {"file": SimpleUploadedFile("发布内容.csv", content)})
    assert preview.status_code == 200
    assert not Post.objects.exists()  # the check writes nothing
    token = preview.context["confirm_form"]["job"].value()
    with inline_worker():
        response = client.post(reverse("posts_import_confirm"), {"job": token})
    assert response.status_code == 302
    first, repost = Post.objects.order_by("published_at")
    assert (first.platform_post_id, first.reads, first.kind) == ("a1", 1200, "original")
    assert repost.kind == "repost" and repost.platform_post_id.startswith("sheet-")
    assert timezone.localtime(first.published_at).strftime("%H:%M") == "09:30"
    assert Finding.objects.get(post=first).term == "再接再励"


def test_a_bad_row_imports_nothing_and_every_problem_is_named(
    upload, client_for, admin_a, account_a, account_b
):
    content = csv(
        [account_a.pk, "", "a1", yesterday("09:30"), "原创", "好", "", "", "", "", "", ""],
        [account_b.pk, "", "b1", yesterday("09:30"), "原创", "别的单位", "", "", "", "", "", ""],
        [account_a.pk, "", "a2", "昨天", "发表", "坏", "", "ftp://x", "-3", "", "", ""],
    )
    preview = upload(
        client_for(admin_a), reverse("posts_import"), {"file": SimpleUploadedFile("p.csv", content)}
    )
    assert preview.context["confirm_form"] is None
    fields = {
        (row, field)
        for row, field in ((error.row, error.field) for error, _label in preview.context["errors"])
    }
    assert fields == {(3, "media_account"), (4, "published_at"), (4, "kind"), (4, "url"), (4, "reads")}
    assert not Post.objects.exists()


def test_the_office_and_the_units_import_posts_and_auditors_do_not(client_for, personas):
    for name in ("posts_import", "posts_import_template"):
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
