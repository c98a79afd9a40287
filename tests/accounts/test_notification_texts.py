"""Notifications (in the app and by e-mail) read as Chinese: full-width punctuation in Chinese text,
for every notification the system sends, as the units receive them along the whole story."""

import datetime
import gettext
import re

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation

from accounts.models import Notification
from audits.campaigns import services as campaign_services
from audits.campaigns.choices import Outcome
from audits.inspections import services as inspections
from audits.inspections.models import InspectionRun, RectificationNotice
from registry import services
from registry.choices import Platform
from tests.campaigns import campaign, days_from_now, inspection_of, meeting, submitted

CJK = r"[\u3400-\u4dbf\u4e00-\u9fff]"
# ASCII punctuation whose nearest neighbour (past spaces) on either side is a Chinese character.
ASCII_IN_CHINESE = re.compile(rf"{CJK}\s*[,;:()!?]|[,;:()!?]\s*{CJK}")


def ascii_punctuation_in_chinese(text: str) -> list[str]:
    return [text[max(match.start() - 4, 0) : match.end() + 4] for match in ASCII_IN_CHINESE.finditer(text)]


def test_the_checker_finds_ascii_punctuation_beside_chinese_only():
    assert len(ascii_punctuation_in_chinese("新城教育: 关停 (2026-12-10)")) == 2
    assert ascii_punctuation_in_chinese("新城教育（微信公众号）：关停，期限 2026-12-10") == []
    assert ascii_punctuation_in_chinese("https://example.gov.cn/notices/3/ (see 3:00)") == []


def test_the_catalogue_writes_chinese_with_full_width_punctuation():
    catalogue = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    with open(catalogue, "rb") as compiled:
        translations = gettext.GNUTranslations(compiled)._catalog
    # yesno's arguments ("Yes,No" → "是,否") are syntax, not text.
    yesno = re.compile(r"^[^,\s]+,[^,\s]+(,[^,\s]+)?$")
    found = {
        msgid: text
        for msgid, text in translations.items()
        if msgid
        and not (isinstance(msgid, str) and yesno.match(msgid))
        and ascii_punctuation_in_chinese(text)
    }
    assert len(translations) > 1000 and found == {}


@pytest.mark.django_db
def test_it_writes_every_notification_in_chinese_with_full_width_punctuation(
    office_admin, admin_a, department_a, file_account, django_capture_on_commit_callbacks
):
    admin_a.email = "edu@example.gov.cn"
    admin_a.save()
    kept = file_account(department_a, name="新城教育")
    closing = file_account(department_a, name="新城教育微博", platform=Platform.WEIBO, has_interaction=False)
    services.metrics_record(
        actor=None,
        rows=[
            {"media_account": kept.pk, "date": timezone.localdate() - datetime.timedelta(days=22), "posts": 1}
        ],
    )
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        started = campaign(office_admin)  # "self-inspection" to the unit
        review = meeting(office_admin, started)
        campaign_services.decisions_make(  # "review decisions", one line per account
            actor=office_admin,
            meeting=review,
            items=[
                {
                    "self_inspection": submitted(admin_a, inspection_of(started, kept)),
                    "outcome": Outcome.RETAIN,
                },
                {
                    "self_inspection": submitted(admin_a, inspection_of(started, closing), "close"),
                    "outcome": Outcome.CLOSE,
                    "deadline": days_from_now(30),
                },
            ],
        )
        order = closing.closure_orders.get()
        campaign_services.closure_order_confirm(
            actor=admin_a, order=order, evidence_url="https://example.gov.cn/n/1"
        )
        campaign_services.closure_order_reject(actor=office_admin, order=order, note="账号仍可访问，请核实")
        campaign_services.closure_orders_mark_overdue(today=days_from_now(31))  # "closure overdue"
        run = InspectionRun.objects.create(inspection_date=timezone.localdate())
        inspections.inspection_run_execute(run_id=run.pk)  # "rectification notice"
        notice = RectificationNotice.objects.get()
        inspections.notice_respond(actor=admin_a, notice=notice, response="已恢复更新")
        inspections.notice_return(actor=office_admin, notice=notice, note="请附更新截图")

    notifications = list(Notification.objects.filter(user=admin_a).order_by("pk"))
    assert len(notifications) == 6 == len(mail.outbox)
    texts = [text for item in notifications for text in (item.subject, item.body)]
    texts += [text for message in mail.outbox for text in (message.subject, message.body)]
    found = {text: ascii_punctuation_in_chinese(text) for text in texts if ascii_punctuation_in_chinese(text)}
    assert found == {}
    decisions = next(item for item in notifications if item.subject.startswith("审议结论"))
    assert decisions.body.splitlines() == [
        "新城教育：保留",
        f"新城教育微博：关停，期限 {days_from_now(30):%Y-%m-%d}",
    ]
