"""The public check: is this a registered government account? (docs/design.md §1.6, §11)

Anyone may ask, without signing in; the answer tells what the public may know and nothing
about the people behind the account; closed accounts say since when and whom to follow.
"""

import pytest
from django.utils import timezone

from registry import services
from registry.choices import Platform

VERIFY = "/api/v1/verify/"


@pytest.fixture
def registered(file_account, department_a):
    return file_account(
        department_a,
        name="新城教育",
        url="https://weibo.com/xcedu",
        platform=Platform.WEIBO,
        verified=True,
        responsible_person="王芳",
        operators=[{"name": "张三", "phone": "13800000000", "employment": "outsourced"}],
    )


def test_it_confirms_a_registered_account_without_personal_data(api_for, registered):
    response = api_for().get(VERIFY, {"platform": "weibo", "uid": registered.platform_uid})
    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {
                "name": "新城教育",
                "platform": "weibo",
                "platform_uid": registered.platform_uid,
                "url": "https://weibo.com/xcedu",
                "unit": "区教育局",
                "filing_number": registered.filing_number,
                "status": "active",
                "verified": True,
                "opened_on": timezone.localdate().isoformat(),
                "closed_on": None,
                "successor": None,
            }
        ]
    }
    for personal in ("王芳", "张三", "13800000000", "responsible", "operator", "phone"):
        assert personal not in response.content.decode()


@pytest.mark.parametrize(
    "url", ["https://weibo.com/xcedu", "https://weibo.com/xcedu/", " https://weibo.com/xcedu "]
)
def test_it_finds_an_account_by_its_address(api_for, registered, url):
    response = api_for().get(VERIFY, {"url": url})
    assert response.status_code == 200
    assert [row["filing_number"] for row in response.json()["results"]] == [registered.filing_number]


def test_it_lists_every_account_of_a_name(api_for, registered, file_account, department_a):
    wechat = file_account(department_a, name="新城教育", platform=Platform.WECHAT_OFFICIAL)
    results = api_for().get(VERIFY, {"name": "新城教育"}).json()["results"]
    assert {row["filing_number"] for row in results} == {registered.filing_number, wechat.filing_number}


def test_it_tells_since_when_a_closed_account_is_closed_and_whom_to_follow(
    api_for, office_admin, admin_a, file_account, registered, government
):
    main = file_account(government, name="新城发布", url="https://mp.weixin.qq.com/xc")
    filing = services.filing_submit_close(
        actor=admin_a, media_account=registered, reason="整合至区政府账号", successor=main
    )
    services.filing_approve(actor=office_admin, filing=filing)
    result = api_for().get(VERIFY, {"platform": "weibo", "uid": registered.platform_uid}).json()["results"][0]
    assert result["status"] == "closed"
    assert result["closed_on"] == timezone.localdate().isoformat()
    assert result["successor"] == {"name": "新城发布", "platform": "wechat_official", "url": main.url}


@pytest.mark.parametrize("approve", ["pending", "rejected"])
def test_it_does_not_know_an_account_never_registered(
    api_for, office_admin, file_account, department_a, approve
):
    account = file_account(department_a, name="待审账号", approve=False)
    if approve == "rejected":
        services.filing_reject(actor=office_admin, filing=account.filings.get())
    for query in ({"platform": account.platform, "uid": account.platform_uid}, {"name": "待审账号"}):
        response = api_for().get(VERIFY, query)
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_it_does_not_know_an_unknown_account(api_for, registered):
    assert api_for().get(VERIFY, {"platform": "weibo", "uid": "impostor"}).status_code == 404
    assert api_for().get(VERIFY, {"name": "新城教育官方"}).status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "non_field_errors"),
        ({"platform": "myspace", "uid": "x"}, "platform"),
        ({"uid": "x"}, "platform"),
        ({"platform": "weibo"}, "uid"),
    ],
)
def test_it_refuses_a_bad_question(api_for, query, field):
    response = api_for().get(VERIFY, query)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


def test_it_ignores_credentials_even_bad_ones(api_for, registered):
    client = api_for()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get(VERIFY, {"name": "新城教育"}).status_code == 200


def test_it_slows_down_a_client_that_asks_too_often(api_for, settings, registered):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "verify": "3/minute"},
    }
    client = api_for()
    answers = [client.get(VERIFY, {"name": "新城教育"}).status_code for _ in range(3)]
    answers.append(client.get(VERIFY, {"name": "不存在"}).status_code)
    assert answers == [200, 200, 200, 429]
    assert client.get(VERIFY, {"name": "新城教育"}).json()["code"] == "throttled"
    # The rate is per client address: another client is not slowed down.
    assert client.get(VERIFY, {"name": "新城教育"}, REMOTE_ADDR="10.0.0.2").status_code == 200
