"""Reflected HTML injection: no answer quotes what the request sent as markup.

The attack: a link to a download with markup in its query string. A bad filter on
``/media-accounts/export.csv`` answered 400 as ``text/html`` quoting the value, so a signed-in victim
following ``…?platform=<meta http-equiv="refresh" content="0;url=https://evil.example">`` (or signing
in through ``/accounts/login/?next=`` to it) was sent to another site: the CSP stops scripts, not that.
Every download (each view marked ``config.downloads.download``, and the API's spreadsheet export) is
walked with markup in every parameter it reads; its refusals are JSON, with no tag in them.
"""

from urllib.parse import urlencode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from audits.ranking.views import RankingQueryForm
from audits.trail.filters import AuditEventFilter
from registry.filters import MediaAccountFilter
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

MARKUP = '<meta http-equiv="refresh" content="0;url=https://evil.example">'
TAG = "<meta http-equiv"  # what is left of the markup in JSON, which escapes its quotes
NO_SUCH_ID = 987654

# What each download reads from the request besides its path: every one of them gets the markup.
PARAMETERS = {
    "media_accounts_export_xlsx": list(MediaAccountFilter.base_filters),
    "media_accounts_export_csv": list(MediaAccountFilter.base_filters),
    "audit_event_export_xlsx": list(AuditEventFilter.base_filters),
    "audit_event_export_csv": list(AuditEventFilter.base_filters),
    "ranking_export": list(RankingQueryForm.base_fields),
    "media_accounts_import_template": [],
    "metrics_import_template": [],
    "campaign_result_export": [],
    "meeting_decisions_export": [],
    "inspection_run_export": [],
    "closure_order_evidence": [],
    "export_job_download": [],
    "lexicon_export": [],
    "posts_import_template": [],
    "release_task_export": [],
    "release_task_image": [],
}
API_EXPORT = "/api/v1/media-accounts/"
API_PARAMETERS = [*MediaAccountFilter.base_filters, "format", "page", "page_size"]


def _patterns(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _downloads() -> dict[str, URLPattern]:
    return {pattern.name: pattern for _route, pattern in _patterns(get_resolver()) if _is_download(pattern)}


def _is_download(pattern: URLPattern) -> bool:
    return getattr(pattern.callback, "is_download", False)


def _url(name: str) -> str:
    pattern = _downloads()[name]
    return reverse(name, kwargs={"pk": NO_SUCH_ID} if "pk" in pattern.pattern.converters else None)


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


def _assert_not_reflected(response, *, download: bool = True) -> None:
    body = _body(response)
    assert TAG not in body, (response.status_code, response.get("Content-Type"), _around(body))
    if download and response.status_code >= 400:
        assert response["Content-Type"].split(";")[0] in ("text/plain", "application/json"), response[
            "Content-Type"
        ]


def test_it_marks_every_file_the_site_hands_out_as_a_download():
    files = {
        pattern.name
        for route, pattern in _patterns(get_resolver())
        if route.endswith((".csv", ".xlsx")) or "evidence" in route or route.endswith("image/")
    }
    assert files == set(_downloads())
    assert set(_downloads()) == set(PARAMETERS), "a new download: name the parameters it reads"


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_it_never_reflects_markup_from_a_download(client_for, office_admin, name):
    client = client_for(office_admin)
    url = _url(name)
    for parameter in [*PARAMETERS[name], "unknown"]:
        for value in (MARKUP, f"1{MARKUP}", f"2024-01-01{MARKUP}"):
            _assert_not_reflected(client.get(url, {parameter: value}))
    _assert_not_reflected(client.get(url, {parameter: MARKUP for parameter in PARAMETERS[name]}))


def test_it_answers_a_bad_filter_of_a_download_in_the_error_shape(client_for, office_admin):
    response = client_for(office_admin).get(reverse("media_accounts_export_csv"), {"platform": MARKUP})
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    answer = response.json()
    assert answer["code"] == "invalid" and MARKUP in answer["fields"]["platform"][0]
    assert answer["detail"].startswith("筛选条件有误")


def test_it_answers_a_download_of_nothing_in_the_error_shape(client_for, office_admin):
    response = client_for(office_admin).get(reverse("campaign_result_export", args=[NO_SUCH_ID]))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_it_never_reflects_markup_from_the_api_export(client_for, office_admin):
    client = client_for(office_admin)
    for file_format in ("xlsx", "csv", "json"):
        for parameter in API_PARAMETERS:
            query = {"format": file_format, parameter: MARKUP}
            _assert_not_reflected(client.get(API_EXPORT, query, HTTP_ACCEPT="text/html"))
            _assert_not_reflected(client.get(API_EXPORT, query))


def test_it_never_reflects_markup_from_the_sign_in_page(client_for, office_admin):
    for next_url in (MARKUP, f"/{MARKUP}", f"/media-accounts/?platform={MARKUP}"):
        page = client_for().get(reverse("login"), {"next": next_url})
        assert page.status_code == 200
        _assert_not_reflected(page, download=False)
        signed_in = client_for(office_admin)
        response = signed_in.get(reverse("login"), {"next": next_url}, follow=True)
        _assert_not_reflected(response, download=False)


def test_it_signs_in_to_a_download_with_markup_without_reflecting_it(client, office_admin):
    query = urlencode({"platform": MARKUP, "status": MARKUP})
    next_url = f"{reverse('media_accounts_export_csv')}?{query}"
    form = {"username": "office", "password": PASSWORD, "next": next_url}
    response = client.post(f"{reverse('login')}?{urlencode({'next': next_url})}", form)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("media_accounts_export_csv"))
    _assert_not_reflected(client.get(response["Location"]))


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_it_still_never_sends_a_user_elsewhere_after_sign_in(client, office_admin, elsewhere):
    form = {"username": "office", "password": PASSWORD, "next": elsewhere}
    response = client.post(reverse("login"), form)
    assert response.status_code == 302 and "evil.example" not in response["Location"]
    assert "evil.example" not in _body(client.get(reverse("login"), {"next": elsewhere}, follow=True))


def _around(body: str) -> str:
    at = body.find(TAG)
    return body[max(at - 300, 0) : at + 100]
