"""A collector's posts scanned for wording by a real Celery worker, within a minute of their arrival."""

import datetime
import json
import time

import pytest
from django.db import OperationalError
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as user_services
from audits.inspections.models import Finding
from content import services as content
from content.choices import Lexicon
from content.models import Post

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def wait_until_scanned(seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if not Post.objects.filter(scanned_at__isnull=True).exists():
                return
        except OperationalError:
            pass  # SQLite's in-memory test database locks whole tables while the worker writes.
        time.sleep(0.2)
    raise AssertionError(f"posts still unscanned after {seconds} s")


def test_a_collectors_batch_is_scanned_by_the_worker_within_a_minute(
    file_account, department_a, admin_a, office_admin, worker
):
    account = file_account(department_a, name="教育发布")
    content.lexicon_entry_create(actor=office_admin, lexicon=Lexicon.SENSITIVE, term="赌博", category="违法")
    _token, key = user_services.api_token_create(actor=admin_a, user=admin_a, name="collector")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    published = (timezone.localtime() - datetime.timedelta(hours=1)).isoformat()
    rows = [
        {
            "media_account": account.pk,
            "platform_post_id": f"p{n}",
            "published_at": published,
            "kind": "original",
            "text": "严禁赌博。" if n == 7 else "今日工作动态。",
        }
        for n in range(50)
    ]
    started = time.monotonic()
    response = client.post("/api/v1/posts/", json.dumps(rows), content_type="application/json")
    assert response.status_code == 201, response.json()
    wait_until_scanned()
    assert time.monotonic() - started < 60
    [hit] = Finding.objects.filter(post__isnull=False)
    assert (hit.post.platform_post_id, hit.term) == ("p7", "赌博")
