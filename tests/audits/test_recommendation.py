"""The recommended outcome of an application, at the edges of its rules (issue 4, step 2):
a month of silence, 100 followers, 4 posts in 30 days, a sibling account, the unit's proposal."""

import pytest
from django.utils import translation

from audits.campaigns import services
from audits.campaigns.choices import Outcome, Proposal
from audits.campaigns.selectors import recommendation_for, recommendations_for
from registry import services as registry_services
from registry.choices import Platform
from tests.campaigns import THREE_HAVES, campaign, days_from_now, inspection_of
from tests.conftest import established


@pytest.fixture(autouse=True)
def _english():
    # The reasons are read by people; the tests read them in the source language.
    with translation.override("en"):
        yield


@pytest.fixture
def file_account(file_account):
    return established(file_account)


@pytest.fixture
def account(department_a, file_account):
    return file_account(department_a, name="教育发布")


def _figures(account, *, days_ago: int = 0, followers: int = 100, posts: int = 4) -> None:
    """The account's one day of figures, ``days_ago`` days back."""
    registry_services.metrics_record(
        actor=None,
        rows=[
            {
                "media_account": account,
                "date": days_from_now(-days_ago),
                "followers": followers,
                "posts": posts,
            }
        ],
    )


def _recommended(office_admin, admin_a, account, proposal=Proposal.RETAIN, **answers):
    inspection = inspection_of(campaign(office_admin), account)
    inspection = services.self_inspection_save(
        actor=admin_a, self_inspection=inspection, proposal=proposal, **{**THREE_HAVES, **answers}
    )
    return recommendation_for(inspection)


def test_it_retains_a_needed_staffed_supported_and_active_account(office_admin, admin_a, account):
    _figures(account, followers=100, posts=4)
    recommendation = _recommended(office_admin, admin_a, account)
    assert recommendation.outcome == Outcome.RETAIN and recommendation.merge_target is None
    assert recommendation.reasons == ["needed, staffed, supported and active"]
    assert (recommendation.facts.followers, recommendation.facts.posts_30_days) == (100, 4)
    assert recommendation.facts.days_since_last_post == 0


@pytest.mark.parametrize(("days", "outcome"), [(29, Outcome.RETAIN), (30, Outcome.CLOSE)])
def test_it_calls_an_account_silent_after_30_days(office_admin, admin_a, account, days, outcome):
    _figures(account, days_ago=days, followers=100, posts=4)
    recommendation = _recommended(office_admin, admin_a, account)
    assert recommendation.outcome == outcome
    assert ("silent 30 days" in recommendation.reasons) == (days == 30)


@pytest.mark.parametrize(("followers", "outcome"), [(99, Outcome.CLOSE), (100, Outcome.RETAIN)])
def test_it_wants_at_least_100_followers(office_admin, admin_a, account, followers, outcome):
    _figures(account, followers=followers, posts=4)
    recommendation = _recommended(office_admin, admin_a, account)
    assert recommendation.outcome == outcome
    assert ("99 followers" in recommendation.reasons) == (followers == 99)


@pytest.mark.parametrize(("posts", "outcome"), [(3, Outcome.CLOSE), (4, Outcome.RETAIN)])
def test_it_wants_at_least_4_posts_in_30_days(office_admin, admin_a, account, posts, outcome):
    _figures(account, days_ago=0, followers=500, posts=posts)
    recommendation = _recommended(office_admin, admin_a, account)
    assert recommendation.outcome == outcome
    assert ("3 posts in 30 days" in recommendation.reasons) == (posts == 3)


def test_it_counts_only_the_posts_of_the_last_30_days(office_admin, admin_a, account):
    _figures(account, days_ago=30, followers=500, posts=20)  # the day before the window
    _figures(account, days_ago=29, followers=500, posts=3)
    _figures(account, days_ago=0, followers=500, posts=0)
    recommendation = _recommended(office_admin, admin_a, account)
    assert recommendation.facts.posts_30_days == 3
    assert recommendation.reasons[0] == "3 posts in 30 days"


def test_it_says_when_an_account_never_posted_and_has_no_dedicated_staff(office_admin, admin_a, account):
    recommendation = _recommended(office_admin, admin_a, account, run_by="outsourced")
    assert recommendation.outcome == Outcome.CLOSE
    assert recommendation.reasons == ["never posted", "0 followers", "no dedicated staff"]
    assert recommendation.facts.days_since_last_post is None


def test_it_names_each_missing_have(office_admin, admin_a, account):
    _figures(account, followers=500, posts=30)
    recommendation = _recommended(
        office_admin, admin_a, account, Proposal.CLOSE, has_need=False, has_capacity=False, has_support=False
    )
    assert recommendation.outcome == Outcome.CLOSE
    assert recommendation.reasons[:4] == [
        "the unit proposes the closure",
        "no real need",
        "no capacity to run it",
        "no support",
    ]


def test_it_merges_a_weak_account_into_the_units_strongest_sibling(
    office_admin, admin_a, account, department_a, file_account
):
    small = file_account(department_a, name="教育资讯")
    strong = file_account(department_a, name="教育在线")
    file_account(department_a, name="教育微博", platform=Platform.WEIBO)  # another platform: no sibling
    _figures(small, followers=150, posts=4)
    _figures(strong, followers=9000, posts=60)
    recommendation = _recommended(office_admin, admin_a, account)
    assert recommendation.outcome == Outcome.MERGE and recommendation.merge_target == strong
    assert recommendation.reasons[-1] == "the unit has another live account on this platform: 教育在线"
    assert recommendation.facts.sibling == strong


def test_it_keeps_a_strong_account_though_the_unit_has_another_on_the_platform(
    office_admin, admin_a, account, department_a, file_account
):
    file_account(department_a, name="教育在线")
    _figures(account, followers=100, posts=4)
    assert _recommended(office_admin, admin_a, account).outcome == Outcome.RETAIN


def test_it_follows_the_units_proposal_to_merge(office_admin, admin_a, account, department_b, file_account):
    target = file_account(department_b, name="新城发布")
    _figures(account, followers=5000, posts=90)
    recommendation = _recommended(office_admin, admin_a, account, Proposal.MERGE, merge_target=target)
    assert recommendation.outcome == Outcome.MERGE and recommendation.merge_target == target
    assert recommendation.reasons == ["the unit proposes the merger"]


def test_it_follows_the_units_proposal_to_close(office_admin, admin_a, account):
    _figures(account, followers=5000, posts=90)
    recommendation = _recommended(office_admin, admin_a, account, Proposal.CLOSE)
    assert recommendation.outcome == Outcome.CLOSE
    assert recommendation.reasons == ["the unit proposes the closure"]


def test_it_recommends_for_any_number_of_applications_in_two_queries(
    office_admin, department_a, file_account, django_assert_num_queries
):
    for number in range(12):
        file_account(
            department_a, name=f"账号{number}", platform=Platform.WEIBO if number % 2 else Platform.DOUYIN
        )
    started = campaign(office_admin)
    inspections = list(started.self_inspections.all())
    with django_assert_num_queries(2):
        recommendations = recommendations_for(inspections)
    assert len(recommendations) == 12
    assert {recommendation.outcome for recommendation in recommendations.values()} == {Outcome.MERGE}


def test_it_does_not_propose_to_close_an_account_approved_today(
    office_admin, admin_a, department_a, file_account
):
    """Issue 10: approved today, 0 followers and no post yet, it was proposed for closure."""
    new = file_account(department_a, name="教育新号", platform=Platform.DOUYIN, activated_on=None)
    recommendation = _recommended(office_admin, admin_a, new)
    assert recommendation.outcome == Outcome.RETAIN
    assert recommendation.reasons == [
        "needed, staffed and supported; live for 0 days, too new to judge by its figures (30 days)"
    ]
    assert recommendation.facts.days_live == 0


@pytest.mark.parametrize(("days_live", "outcome"), [(29, Outcome.RETAIN), (30, Outcome.CLOSE)])
def test_it_judges_a_new_account_by_its_figures_after_30_days(
    office_admin, admin_a, department_a, file_account, days_live, outcome
):
    new = file_account(
        department_a, name="教育新号", platform=Platform.DOUYIN, activated_on=days_from_now(-days_live)
    )
    recommendation = _recommended(office_admin, admin_a, new)
    assert recommendation.outcome == outcome
    assert ("never posted" in recommendation.reasons) == (outcome == Outcome.CLOSE)


def test_it_still_follows_the_three_haves_of_a_new_account(office_admin, admin_a, department_a, file_account):
    new = file_account(department_a, name="教育新号", platform=Platform.DOUYIN, activated_on=None)
    recommendation = _recommended(office_admin, admin_a, new, Proposal.CLOSE, has_need=False)
    assert recommendation.outcome == Outcome.CLOSE
    assert recommendation.reasons[:2] == ["the unit proposes the closure", "no real need"]
