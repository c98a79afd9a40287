"""The production-like site the other tests attack is what docs/operations.md describes."""

import pytest

pytestmark = pytest.mark.django_db


def test_it_runs_with_debug_off_over_https(production_site):
    site = production_site
    assert site.url.startswith("https://")
    client = site.client()
    assert client.get(f"{site.url}/healthz").json()["status"] == "ok"
    missing = client.get(f"{site.url}/no-such-page/")
    assert missing.status_code == 404 and "Traceback" not in missing.text and "DEBUG" not in missing.text


def test_it_signs_a_user_in_through_the_form(production_site):
    site = production_site
    site.create_user("site-office")
    client = site.sign_in("site-office")
    home = client.get(f"{site.url}/")
    assert home.status_code == 200 and "site-office" in home.text
    assert client.cookies.get("sessionid") and all(cookie.secure for cookie in client.cookies)


def test_it_has_a_real_worker_when_asked(production_site):
    site = production_site
    site.start_worker()
    assert (
        "pong" in site.python("from config.celery import app\nprint(app.control.ping(timeout=2))\n").lower()
    )
