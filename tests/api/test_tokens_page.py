"""Profile page: a token is shown once, stored hashed, listed, and revoked by its owner only."""

from __future__ import annotations

from rest_framework.test import APIClient

from deals.models import ApiToken


def test_create_shows_the_token_once_and_stores_only_a_digest(clerk_client, clerk):
    r = clerk_client.post("/profile/tokens/", {"name": "transfer agent"})
    assert r.status_code == 200
    text = r.context["created"]["text"]
    assert text.startswith("nhtc_") and text.encode() in r.content
    assert "no-store" in r["Cache-Control"]
    token = ApiToken.objects.get(user=clerk)
    assert token.name == "transfer agent" and text not in (token.digest, token.token_key) and len(token.digest) == 128
    page = clerk_client.get("/profile/tokens/")
    assert text.encode() not in page.content and token.token_key.encode() in page.content
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    assert api.get("/api/investors/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoke_then_401_and_history_names_the_user(clerk_client, clerk):
    text = clerk_client.post("/profile/tokens/", {"name": "sync"}).context["created"]["text"]
    token = ApiToken.objects.get(user=clerk)
    r = clerk_client.post(f"/profile/tokens/{token.token_key}/revoke/", {"digest": token.digest[:16]})
    assert r.status_code == 302
    assert not ApiToken.objects.exists()
    assert ApiToken.history.filter(history_type="-", history_user=clerk).exists()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    assert api.get("/api/investors/").status_code == 401


def test_cannot_revoke_another_users_token(client, clerk, deal_admin):
    from deals.services.api_tokens import api_token_create

    token, _ = api_token_create(user=deal_admin, name="admin's")
    client.force_login(clerk)
    client.post(f"/profile/tokens/{token.token_key}/revoke/")
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_no_role_user_gets_403_and_blank_name_is_refused(client, no_role_user, clerk):
    client.force_login(no_role_user)
    assert client.get("/profile/tokens/").status_code == 403
    client.force_login(clerk)
    r = client.post("/profile/tokens/", {"name": "   "})
    assert r.status_code == 400 and not ApiToken.objects.exists()


def test_token_limit(clerk_client, clerk):
    from deals.services.api_tokens import MAX_TOKENS_PER_USER

    for i in range(MAX_TOKENS_PER_USER):
        assert clerk_client.post("/profile/tokens/", {"name": f"t{i}"}).status_code == 200
    r = clerk_client.post("/profile/tokens/", {"name": "one more"})
    assert r.status_code == 400 and b"revoke one first" in r.content
