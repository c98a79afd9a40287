"""Sessions end after SESSION_IDLE_SECONDS (30 minutes by default) without a request."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_every_request_pushes_the_idle_deadline(client, office_admin):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST
    client.force_login(office_admin)
    response = client.get("/")
    assert response.status_code == 200
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 60
    assert 29 * 60 < client.session.get_expiry_age() <= 30 * 60
