"""What API tests share: a REST client signed in with a real token (tests/conftest.py leaves no
throttle over)."""

import pytest
from rest_framework.test import APIClient

from accounts import services as user_services


@pytest.fixture
def api_for():
    """A REST client sending a token of the persona; ``None`` gives the anonymous one."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            _token, key = user_services.api_token_create(actor=user, user=user, name="test")
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make
