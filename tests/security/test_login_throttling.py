"""Issue 15 item 3: failed sign-ins are logged with IP and username, the Nth failure for a
username+IP locks it (even the right password is refused, with a message), a deal admin or the
service unlocks, and a locked attempt never reaches password hashing."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.backends import ModelBackend
from django.test import Client

from nhtc.security import client_ip, login_unlock

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PASSWORD = "pw-for-tests-only"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.LOGIN_IP_FAILURE_LIMIT = 5


def _post(client, username, password, ip="10.0.0.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def counted_hashing(monkeypatch):
    """How many times the password-checking backend ran (each run hashes a password)."""
    calls = []
    original = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        calls.append(username)
        return original(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    return calls


def test_limit_minus_one_failures_still_allow_the_right_password(client, clerk):
    for _ in range(2):
        response = _post(client, "clerk", "wrong")
        assert response.status_code == 200 and "correct username and password" in response.content.decode()
    response = _post(client, "clerk", PASSWORD)
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="clerk").exists()  # reset on success


def test_the_nth_failure_locks_and_the_right_password_is_refused_with_the_message(client, clerk, counted_hashing):
    assert _post(client, "clerk", "wrong").status_code == 200
    assert _post(client, "clerk", "wrong").status_code == 200
    locked = _post(client, "clerk", "wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    hashed_before = len(counted_hashing)

    response = _post(client, "clerk", PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Sign-in locked" in body and "clerk" in body and "(3 allowed)" in body
    assert len(counted_hashing) == hashed_before  # refused before the password was hashed
    assert "_auth_user_id" not in client.session


def test_lock_is_per_username_and_ip(client, clerk):
    for _ in range(3):
        _post(client, "clerk", "wrong", ip="10.0.0.7")
    assert _post(Client(), "clerk", PASSWORD, ip="10.0.0.8").status_code == 302


def test_failures_are_logged_with_ip_and_username(client, clerk, caplog):
    caplog.set_level("INFO")
    _post(client, "clerk", "wrong", ip="10.1.2.3")
    row = AccessFailureLog.objects.get()
    assert (row.username, row.ip_address) == ("clerk", "10.1.2.3")
    assert any("clerk" in r.getMessage() and "10.1.2.3" in r.getMessage() for r in caplog.records)


def test_unlock_by_the_service_lets_the_user_in(client, clerk, deal_admin):
    for _ in range(3):
        _post(client, "clerk", "wrong")
    assert _post(client, "clerk", PASSWORD).status_code == 429
    assert login_unlock(username="clerk", user=deal_admin) >= 1
    assert _post(client, "clerk", PASSWORD).status_code == 302


def test_unlock_service_needs_a_username_or_an_ip(deal_admin):
    with pytest.raises(ValueError, match="username or an IP"):
        login_unlock(user=deal_admin)


def test_deal_admin_unlocks_in_the_axes_admin(client, clerk, deal_admin):
    for _ in range(3):
        _post(client, "clerk", "wrong")
    attempt = AccessAttempt.objects.get(username="clerk")
    admin_client = Client()
    admin_client.force_login(deal_admin)
    assert admin_client.get("/admin/axes/accessattempt/").status_code == 200
    response = admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert _post(client, "clerk", PASSWORD).status_code == 302


def test_clerk_cannot_see_or_unlock_attempts(clerk_client):
    assert clerk_client.get("/admin/axes/accessattempt/").status_code == 403


def test_an_ip_spraying_usernames_is_refused_before_authentication(client, clerk, counted_hashing):
    for i in range(5):
        _post(client, f"nobody{i}", "wrong")
    assert len(counted_hashing) == 5
    response = _post(client, "clerk", PASSWORD)
    assert response.status_code == 429 and "Sign-in locked" in response.content.decode()
    assert len(counted_hashing) == 5  # no authentication, no hashing
    assert _post(Client(), "clerk", PASSWORD, ip="10.9.9.9").status_code == 302  # other addresses unaffected


def test_client_ip_trusts_the_proxy_only_when_told(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    settings.BEHIND_PROXY = False
    assert client_ip(request) == "10.0.0.1"
    settings.BEHIND_PROXY = True
    assert client_ip(request) == "203.0.113.9"  # the hop our proxy appended, not the client's claim
