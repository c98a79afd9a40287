"""What API tests share: a REST client signed in with a real token, and no throttle left over."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts import services as user_services


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Throttle counts live in the cache, which outlives a test: one test's calls must not
    # use up the next one's rate.
    cache.clear()
    yield
    cache.clear()


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
