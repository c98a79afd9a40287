"""Every API error answers the one error shape, in the user's language, with DEBUG on or off."""

import pytest
from django.urls import include, path

from config import urls as site_urls

API = "/api/v1"
NOTHING_THERE = [
    f"{API}/nothing-here/",
    f"{API}/nothing-here",
    f"{API}/media-accounts/1.5/",  # the router takes no dot in an id, so no view is reached
    "/api/v2/",
    "/api/",
]


def _crash(request):
    raise RuntimeError("a bug")


# The site's URLs plus one API view with a bug, to see what a client gets from a 500.
urlpatterns = [path("api/v1/crash/", _crash), path("", include(site_urls))]
handler500 = site_urls.handler500


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize("url", NOTHING_THERE)
def test_it_answers_an_api_url_that_names_nothing_in_the_error_shape(
    api_for, office_admin, settings, debug, url
):
    settings.DEBUG = debug
    client = api_for(office_admin)
    client.handler.enforce_csrf_checks = True  # as a real client: a POST without a CSRF token
    for method in ("get", "post", "delete"):
        response = getattr(client, method)(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 404, (method, response.status_code)
        assert response["Content-Type"] == "application/json", (method, response.content[:200])
        assert response.json() == {"detail": "未找到。", "code": "not_found"}


def test_it_answers_in_english_to_an_english_client(api_for, office_admin, settings):
    settings.DEBUG = True
    response = api_for(office_admin).get(f"{API}/nothing-here/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_it_still_sends_a_url_without_its_final_slash_to_the_endpoint(api_for, office_admin, settings):
    settings.DEBUG = True
    response = api_for(office_admin).get(f"{API}/filings?status=submitted")
    assert response.status_code == 301 and response["Location"] == f"{API}/filings/?status=submitted"
    # A write is not redirected (the body would be lost): the answer says where to send it.
    response = api_for(office_admin).post(f"{API}/filings", {}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404 and response.json() == {
        "detail": "未找到。此地址应以“/”结尾：/api/v1/filings/",
        "code": "not_found",
    }


def test_it_leaves_the_site_pages_to_the_site(client_for, office_admin, settings):
    settings.DEBUG = False
    page = client_for(office_admin).get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b'{"name": ', "请求体不是有效的 JSON（第 1 行第 10 列）。"),
        (b"{'name': 'single quotes'}", "请求体不是有效的 JSON（第 1 行第 2 列）。"),
        (b'{\n  "reason": "ok",\n  "note": tab\n}', "请求体不是有效的 JSON（第 3 行第 11 列）。"),
        (b"\xff\xfe\x00garbage", "请求体不是有效的 JSON：须为 UTF-8 编码的文本。"),
        (b'{"followers": NaN}', "请求体不是有效的 JSON：不接受 NaN 和 Infinity。"),
        (b'{"a": ' * 5000 + b"1" + b"}" * 5000, "JSON 嵌套层级过深。"),
    ],
    ids=["truncated", "single-quotes", "third-line", "not-utf8", "nan", "too-deep"],
)
@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_it_names_a_malformed_json_body_in_chinese(api_for, office_admin, settings, debug, body, detail):
    settings.DEBUG = debug
    for url in (f"{API}/filings/", f"{API}/metrics/"):  # DRF's parser, and the metrics' streaming one
        response = api_for(office_admin).post(
            url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        assert response.status_code == 400, (url, response.content[:200])
        assert response.json() == {"detail": detail, "code": "parse_error"}, url


def test_it_names_a_malformed_json_body_in_english_too(api_for, office_admin):
    response = api_for(office_admin).post(
        f"{API}/filings/", b'{"name": ', content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["detail"] == "The body is not valid JSON (line 1, column 10)."


@pytest.mark.urls(__name__)
def test_it_answers_a_server_error_in_the_error_shape(api_for, office_admin, settings):
    settings.DEBUG = False
    client = api_for(office_admin)
    client.raise_request_exception = False
    response = client.get(f"{API}/crash/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "服务器出错，请稍后再试；问题已记录。", "code": "error"}
