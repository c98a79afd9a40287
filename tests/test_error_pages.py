"""The pages a user meets when something goes wrong (403, 404, 500, an expired form) and the
favicon: the site's frame and Chinese text, as in production (DEBUG off), never Django's bare pages."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import include, path, reverse

from config import urls as site_urls

pytestmark = pytest.mark.django_db

BRAND = "政务新媒体矩阵备案与治理平台"


def _crash(request):
    raise RuntimeError("a bug")


# The site's URLs plus one page with a bug, to see what a user gets from a 500.
urlpatterns = [path("crash/", _crash), path("", include(site_urls))]
handler500 = site_urls.handler500


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def _in_the_frame(response) -> str:
    html = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert f'<a class="brand" href="/">{BRAND}</a>' in html
    assert '<html lang="zh-hans">' in html and "/static/css/app.css" in html
    assert "Not Found" not in html and "Forbidden" not in html and "Server Error" not in html
    return html


@pytest.mark.parametrize("persona", ["office_admin", "anonymous"])
def test_it_answers_a_missing_page_in_the_sites_frame(client_for, request, persona):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    response = client_for(user).get("/no-such-page/")
    assert response.status_code == 404
    html = _in_the_frame(response)
    assert _title(response) == f"页面不存在 — {BRAND}"
    assert "<h1>页面不存在</h1>" in html and "您无权查看" in html
    assert 'href="/"' in html
    assert ("主导航" in html) == (user is not None)  # a signed-in user keeps the navigation


def test_it_answers_an_object_out_of_scope_with_the_same_page(
    client_for, admin_b, department_a, file_account
):
    account = file_account(department_a)
    response = client_for(admin_b).get(reverse("media_account_detail", args=[account.pk]))
    assert response.status_code == 404 and _title(response) == f"页面不存在 — {BRAND}"


def test_it_answers_a_forbidden_page_in_the_sites_frame(client_for, admin_a):
    response = client_for(admin_a).get(reverse("media_accounts_import"))
    assert response.status_code == 403
    html = _in_the_frame(response)
    assert _title(response) == f"无权访问 — {BRAND}"
    assert "<h1>无权访问</h1>" in html and "主导航" in html


def test_it_answers_an_expired_form_in_the_sites_frame(admin_a):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "dept-edu", "password": "x"})
    assert response.status_code == 403
    html = _in_the_frame(response)
    assert _title(response) == f"表单已失效 — {BRAND}"
    assert "刷新" in html and "CSRF verification failed" not in html


@pytest.mark.urls(__name__)
def test_it_answers_a_server_error_in_the_sites_frame(client_for, office_admin):
    client = client_for(office_admin)
    client.raise_request_exception = False
    response = client.get("/crash/")
    assert response.status_code == 500
    html = _in_the_frame(response)
    assert _title(response) == f"服务器出错 — {BRAND}"
    assert "问题已记录" in html and "a bug" not in html


def test_it_answers_a_bad_request_in_the_sites_frame(client, settings):
    settings.ALLOWED_HOSTS = ["registry.example.gov.cn"]
    response = client.get("/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    _in_the_frame(response)
    assert _title(response) == f"请求有误 — {BRAND}"


def test_it_serves_a_favicon_at_the_root_and_names_it_on_every_page(client_for, office_admin):
    response = client_for().get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/favicon.ico"
    with open(finders.find("favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an icon file (ICO), not a placeholder
    with open(finders.find("favicon.svg"), "rb") as icon:
        assert b"<svg" in icon.read()
    html = client_for(office_admin).get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.ico" sizes="32x32">' in html
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
