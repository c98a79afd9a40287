"""Pages work in a real browser under the Content-Security-Policy: no violation is reported."""

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _collect_violations(page):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


def test_the_dashboard_admin_and_api_docs_raise_no_csp_violation(page, sign_in, office_admin):
    violations = _collect_violations(page)
    sign_in("office", PASSWORD)
    page.wait_for_load_state("networkidle")
    page.goto("/admin/")
    assert page.locator("#site-name").is_visible()
    page.goto("/admin/accounts/user/")
    page.wait_for_load_state("networkidle")
    page.goto("/api/docs/")
    page.locator(".swagger-ui .info").wait_for()
    page.wait_for_load_state("networkidle")
    assert violations == []
