"""Every URL needs a login; roles decide the rest."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# health_ready: ok/unavailable for load balancers, no detail (nhtc.views; docs/architecture.md "Health").
PUBLIC = {"login", "admin:login", "password_reset", "health_ready"}
# API documentation pages are for people: they send anonymous visitors to the login page.
API_PAGES = {"api_docs", "api_redoc"}


def _iter_patterns(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            yield from _iter_patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield prefix + str(p.pattern), name


def _concrete(route: str) -> str:
    """Fill converters with plausible values: ints -> 1, strings -> 'x'."""
    import re

    route = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
    route = re.sub(r"<int:[^>]+>", "1", route)
    route = re.sub(r"<(?:str|slug|path|uuid):[^>]+>|<[^>:]+>", "x", route)
    route = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", route)
    route = re.sub(r"[()?*+]", "", route)
    return "/" + route


ALL_URLS = sorted({(_concrete(route), name) for route, name in _iter_patterns(get_resolver().url_patterns)})


@pytest.mark.django_db
@pytest.mark.parametrize("url,name", ALL_URLS, ids=[u for u, _ in ALL_URLS])
def test_anonymous_is_sent_to_login(client, url, name):
    if name in PUBLIC or url.startswith("/static/"):
        pytest.skip("public by design")
    response = client.get(url)
    if url.startswith("/api/") and name not in API_PAGES:
        # The REST API answers anonymous callers 401 in its JSON error shape (deals/api/errors.py).
        assert response.status_code == 401, f"{url} answered {response.status_code}"
        assert b"not_authenticated" in response.content or b"authentication_failed" in response.content
        return
    assert response.status_code == 302, f"{url} answered {response.status_code}"
    assert "/login/" in response["Location"]


def test_url_walk_found_the_app(django_db_setup):
    names = {name for _, name in ALL_URLS}
    assert {"dashboard", "login", "logout", "notices:list"} <= names


@pytest.mark.django_db
def test_login_page_renders(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Log in" in response.content


@pytest.mark.django_db
def test_logout_is_post_only(clerk_client):
    assert clerk_client.get("/accounts/logout/").status_code == 405
    assert clerk_client.post("/accounts/logout/").status_code == 302


@pytest.mark.django_db
def test_clerk_sees_dashboard_without_admin_link(clerk_client):
    response = clerk_client.get("/")
    assert response.status_code == 200
    assert b'href="/admin/"' not in response.content


@pytest.mark.django_db
def test_deal_admin_sees_admin_link(deal_admin_client):
    response = deal_admin_client.get("/")
    assert b'href="/admin/"' in response.content


@pytest.mark.django_db
def test_user_without_role_is_forbidden(client, no_role_user):
    client.force_login(no_role_user)
    assert client.get("/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/admin/", "/admin/deals/dealtermsversion/", "/admin/deals/dealtermsversion/add/"])
def test_clerk_gets_403_in_admin(clerk_client, url):
    assert clerk_client.get(url).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/admin/", "/admin/deals/dealtermsversion/", "/admin/deals/dealtermsversion/add/"])
def test_deal_admin_can_edit_terms_in_admin(deal_admin_client, url):
    assert deal_admin_client.get(url).status_code == 200
