"""A user manages their own API tokens: the key is shown once, only its prefix after; revocation is final."""

from accounts.models import ApiToken
from audits.trail.models import AuditEvent


def test_it_shows_a_new_tokens_key_once(client_for, admin_a):
    client = client_for(admin_a)
    response = client.post("/accounts/tokens/", {"name": "采集程序", "valid_days": "30"})
    key = response.context["new_key"]
    token = ApiToken.objects.get(user=admin_a)
    assert key.startswith(token.prefix) and token.expires_at is not None
    assert key not in client.get("/accounts/tokens/").content.decode()
    assert AuditEvent.objects.filter(action="accounts.api_token.created", actor=admin_a).exists()


def test_it_refuses_a_token_without_a_name(client_for, admin_a):
    response = client_for(admin_a).post("/accounts/tokens/", {"name": "", "valid_days": "-3"})
    assert response.status_code == 200 and set(response.context["form"].errors) == {"name", "valid_days"}
    assert not ApiToken.objects.exists()


def test_it_revokes_a_token(client_for, admin_a):
    client = client_for(admin_a)
    client.post("/accounts/tokens/", {"name": "old"})
    token = ApiToken.objects.get()
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="accounts.api_token.revoked").count() == 1


def test_it_keeps_other_peoples_tokens_out_of_reach(client_for, admin_a, admin_b):
    client_for(admin_a).post("/accounts/tokens/", {"name": "mine"})
    token = ApiToken.objects.get()
    other = client_for(admin_b)
    assert "mine" not in other.get("/accounts/tokens/").content.decode()
    assert other.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_sends_anonymous_visitors_to_sign_in(client):
    assert client.get("/accounts/tokens/").status_code == 302
