"""The to-do page (待办) and the navigation's count: what awaits each role, within its scope, in a
fixed number of queries."""

import pytest

from audits.campaigns import services as campaign_services
from audits.inspections import services as inspections
from audits.todo.selectors import ITEMS, late_unit_rows, todo_counts, todo_page
from registry import services as registry_services
from tests import campaigns
from tests.permission_matrix import check_matrix
from tests.todo import late_district, more_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(office_admin, admin_a, admin_b, file_account, department_a, sub_unit_a, department_b):
    return late_district(office_admin, admin_a, admin_b, file_account, department_a, sub_unit_a, department_b)


def counts_of(user) -> dict:
    return {entry.queue.key: (entry.count, entry.overdue) for entry in todo_counts(user).queues}


# What awaits each role --------------------------------------------------------------------------


def test_it_gives_the_office_its_queues_and_counts_the_late_units(district, office_admin):
    assert counts_of(office_admin) == {
        "filings": (1, None),
        "applications": (1, None),
        "closures": (1, None),
        "answers": (1, None),
        "late_units": (3, None),
    }
    assert todo_counts(office_admin).total == 7


def test_it_gives_a_unit_its_own_queues_with_what_is_overdue(district, admin_a, admin_b):
    # Unit A: its sub-unit's self-inspection, its late closure order and its unanswered notice; the
    # application it submitted and the closure it confirmed now wait for the office.
    assert counts_of(admin_a) == {"self_inspections": (1, 1), "closure_orders": (1, 1), "notices": (1, 1)}
    # Unit B: its self-inspection; its notice is answered and its filing awaits the office.
    assert counts_of(admin_b) == {"self_inspections": (1, 1), "closure_orders": (0, 0), "notices": (0, 0)}
    assert todo_counts(admin_b).total == 1


def test_it_gives_auditors_nothing_to_do(district, auditor):
    assert todo_counts(auditor).queues == []
    assert todo_counts(auditor).total == 0


def test_it_counts_a_returned_application_and_a_sent_back_closure_for_the_unit_again(
    district, office_admin, admin_a
):
    a1 = district.campaign.self_inspections.get(media_account__name="新城教育")
    campaign_services.decision_make(
        actor=office_admin,
        self_inspection=a1,
        meeting=campaigns.meeting(office_admin, district.campaign),
        outcome="return",
        note="补充运维人员情况",
    )
    campaign_services.closure_order_reject(actor=office_admin, order=district.confirmed, note="账号仍可访问")
    assert counts_of(admin_a)["self_inspections"] == (2, 2)
    assert counts_of(admin_a)["closure_orders"] == (2, 1)
    assert counts_of(office_admin)["applications"] == (0, None)
    assert counts_of(office_admin)["closures"] == (0, None)
    details = {
        item.title: str(item.detail) for section in todo_page(admin_a).sections for item in section.items
    }
    assert details["新城教育"] == "退回修改"
    assert details["教育微博"] == "宣传部已退回，需重新办理"


def test_it_names_each_late_unit_with_its_overdue_items(
    district, office_admin, department_a, sub_unit_a, department_b
):
    rows = {
        row.department.pk: (row.self_inspections, row.closure_orders, row.notices)
        for row in late_unit_rows(office_admin)
    }
    assert rows == {department_a.pk: (0, 1, 1), sub_unit_a.pk: (1, 0, 0), department_b.pk: (1, 0, 0)}


def test_it_clears_an_item_once_it_is_done(district, office_admin, admin_a):
    registry_services.filing_approve(actor=office_admin, filing=district.filed.filings.get())
    campaign_services.closure_order_verify(actor=office_admin, order=district.confirmed)
    inspections.notice_accept(actor=office_admin, notice=district.answered)
    inspections.notice_respond(actor=admin_a, notice=district.late_notice, response="已整改")
    assert counts_of(office_admin) == {
        "filings": (0, None),
        "applications": (1, None),
        "closures": (0, None),
        "answers": (1, None),  # unit A's answer, now
        "late_units": (3, None),
    }
    assert counts_of(admin_a)["notices"] == (0, 0)


def test_it_keeps_a_unit_to_its_own_scope(district, admin_b, department_b):
    page = todo_page(admin_b)
    shown = [item.title for section in page.sections for item in section.items]
    assert shown == ["健康新城"]
    assert page.late_units is None  # keeping after late units is the office's job


# The page and the navigation -----------------------------------------------------------------------


def test_it_shows_every_persona_its_to_do_page(client_for, personas, district):
    check_matrix(
        client_for,
        personas,
        "get",
        "/todo/",
        office=200,
        auditor=200,
        admin_a=200,
        admin_b=200,
        admin_gov=200,
        anonymous=302,
    )


def test_it_lists_the_office_s_work_with_links_to_where_it_is_done(
    client_for, office_admin, district, department_a
):
    html = client_for(office_admin).get("/todo/").content.decode()
    assert f'href="/filings/{district.filed.filings.get().pk}/"' in html
    assert f'href="/campaigns/{district.campaign.pk}/review/"' in html
    assert f'href="/closure-orders/{district.confirmed.pk}/"' in html
    assert f'href="/notices/{district.answered.pk}/"' in html
    assert f'href="/closure-orders/?overdue=true&amp;department={department_a.pk}"' in html
    assert f'action="/departments/{department_a.pk}/remind/"' in html


def test_it_lists_a_unit_s_work_with_its_deadlines(client_for, admin_a, district):
    html = client_for(admin_a).get("/todo/").content.decode()
    assert "招生办公众号" in html and "教育抖音" in html
    assert (
        f'href="/notices/{district.late_notice.pk}/">{district.late_notice.run.inspection_date}巡查的整改通知</a>'
        in html
    )
    assert 'class="overdue"' in html
    assert "/remind/" not in html and 'data-testid="late-units"' not in html


def test_it_links_each_late_count_to_the_list_of_those_items(
    client_for, office_admin, district, department_a, sub_unit_a
):
    office = client_for(office_admin)
    inspections_page = office.get(f"/self-inspections/?overdue=true&department={sub_unit_a.pk}")
    assert [inspection.media_account for inspection in inspections_page.context["page"]] == [district.sub]
    assert 'class="overdue"' in inspections_page.content.decode()
    orders = office.get(f"/closure-orders/?overdue=true&department={department_a.pk}").context["page"]
    assert [order.pk for order in orders] == [district.late_order.pk]
    notices = office.get(f"/notices/?overdue=true&department={department_a.pk}").context["page"]
    assert [notice.pk for notice in notices] == [district.late_notice.pk]
    on_time = office.get("/self-inspections/?overdue=false").context["page"]
    assert district.sub.pk not in [inspection.media_account_id for inspection in on_time]


def test_it_says_so_when_nothing_awaits(client_for, admin_a, file_account, department_a):
    file_account(department_a)
    html = client_for(admin_a).get("/todo/").content.decode()
    assert 'data-testid="todo-nothing"' in html and "没有待办事项。" in html
    assert 'data-testid="nav-todo-count"' not in html


def test_it_shows_auditors_the_late_units_without_a_way_to_remind(
    client_for, auditor, district, department_b
):
    html = client_for(auditor).get("/todo/").content.decode()
    assert 'data-testid="todo-read-only"' in html
    assert f'data-testid="late-unit-{department_b.pk}"' in html
    assert "/remind/" not in html


def test_it_shows_the_total_in_the_navigation_on_every_page(
    client_for, office_admin, admin_b, auditor, district
):
    for url in ("/", "/media-accounts/", "/accounts/notifications/", "/todo/"):
        office = client_for(office_admin).get(url).content.decode()
        assert '<span class="nav-count" data-testid="nav-todo-count">7</span>' in office
        # The filing badge is the same count's filings queue.
        assert '<span class="nav-count" data-testid="nav-pending-count">1</span>' in office
        unit = client_for(admin_b).get(url).content.decode()
        assert '<span class="nav-count" data-testid="nav-todo-count">1</span>' in unit
        assert 'data-testid="nav-todo-count"' not in client_for(auditor).get(url).content.decode()


def test_it_points_from_the_notifications_to_the_to_do(client_for, office_admin, auditor, district):
    # The office had work waiting while its notifications said there were none.
    html = client_for(office_admin).get("/accounts/notifications/").content.decode()
    assert 'data-testid="todo-hint"' in html and "共 7 项" in html and 'href="/todo/"' in html
    auditor_page = client_for(auditor).get("/accounts/notifications/").content.decode()
    assert 'data-testid="todo-hint"' not in auditor_page


# Queries ---------------------------------------------------------------------------------------


def test_it_counts_in_one_query_whatever_the_volume(
    district, office_admin, admin_a, department_a, django_assert_num_queries
):
    for volume in (1, 2):
        admin_a._visible_department_ids = None  # a new request: the unit's scope (with its new units)
        todo_counts(admin_a)  # is read once per request, and kept
        with django_assert_num_queries(1):
            total = todo_counts(office_admin).total
        with django_assert_num_queries(1):
            unit_total = todo_counts(admin_a).total
        assert (total, unit_total) == ((7, 3) if volume == 1 else (7 + 6 * 5, 3 + 6 * 3))
        more_work(office_admin, 6, parent=department_a)


@pytest.mark.parametrize("persona", ["office_admin", "admin_a", "auditor"])
def test_it_reads_the_to_do_page_in_the_same_number_of_queries_for_3_and_9_late_units(
    persona, request, district, office_admin, department_a, client_for, django_assert_max_num_queries
):
    client = client_for(request.getfixturevalue(persona))
    with django_assert_max_num_queries(30) as captured:
        assert client.get("/todo/").status_code == 200
    few = len(captured.captured_queries)
    more_work(office_admin, 6, parent=department_a)
    with django_assert_max_num_queries(few):
        response = client.get("/todo/")
    page = response.context["page"]
    if persona == "admin_a":
        assert page.counts.total == 3 + 6 * 3
    else:
        assert len(page.late_units) == 3 + 6


def test_it_shows_the_first_items_of_a_long_queue_and_links_to_the_rest(client_for, office_admin, district):
    more_work(office_admin, 3)
    section = next(s for s in todo_page(office_admin).sections if s.queue.key == "filings")
    assert (section.count, len(section.items), section.truncated) == (1 + 3, 4, False)
    more_work(office_admin, ITEMS)
    section = next(s for s in todo_page(office_admin).sections if s.queue.key == "filings")
    assert (section.count, len(section.items), section.truncated) == (1 + 3 + ITEMS, ITEMS, True)
    html = client_for(office_admin).get("/todo/").content.decode()
    assert "open the list</a>" in html or "打开列表</a>" in html
