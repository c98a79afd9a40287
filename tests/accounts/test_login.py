from tests.conftest import PASSWORD


def test_it_shows_the_login_page_in_chinese(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert "登录" in response.content.decode()


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_it_signs_in_with_the_right_password(client, office_admin):
    response = client.post("/accounts/login/", {"username": "office", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_it_refuses_a_wrong_password_with_a_clear_message(client, office_admin):
    response = client.post("/accounts/login/", {"username": "office", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_signs_out(client_for, office_admin):
    client = client_for(office_admin)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_it_switches_to_english(client_for, office_admin):
    client = client_for(office_admin)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Overview" in client.get("/").content.decode()


def test_it_records_sign_ins_sign_outs_and_failures(client, office_admin):
    from audits.trail.models import AuditEvent

    client.post("/accounts/login/", {"username": "office", "password": "wrong"})
    client.post("/accounts/login/", {"username": "office", "password": PASSWORD})
    client.post("/accounts/logout/")
    actions = list(
        AuditEvent.objects.filter(action__startswith="accounts.user.sign")
        .order_by("pk")
        .values_list("action", "actor_name")
    )
    assert actions == [
        ("accounts.user.sign_in_failed", ""),
        ("accounts.user.signed_in", "office"),
        ("accounts.user.signed_out", "office"),
    ]
    failed = AuditEvent.objects.get(action="accounts.user.sign_in_failed")
    assert failed.changes == {"after": {"username": "office"}} and failed.ip == "127.0.0.1"
