"""Issue 15 item 2: only active staff deal admins (and superusers) enter the admin;
``is_staff`` alone is not enough."""

import pytest
from django.contrib.auth.models import Group

from deals.services.roles import CLERK, DEAL_ADMIN, ensure_groups

pytestmark = pytest.mark.django_db

PAGES = ["/admin/", "/admin/deals/debenture/", "/admin/notices/notice/", "/admin/deals/investor/"]


def _login(client, django_user_model, *, staff, role=None, superuser=False, active=True):
    ensure_groups()
    user = django_user_model.objects.create_user(username="u", password="pw-for-tests-only", is_staff=staff,
                                                 is_superuser=superuser, is_active=active)
    if role:
        user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return user


@pytest.mark.parametrize(("staff", "role", "superuser", "expected"), [
    (True, None, False, 403),        # staff without a role
    (True, CLERK, False, 403),       # staff clerk
    (False, CLERK, False, 403),      # clerk
    (False, None, False, 403),       # signed in, no role
    (False, DEAL_ADMIN, False, 403),  # deal admin whose staff flag was removed
    (True, DEAL_ADMIN, False, 200),  # deal admin
    (True, None, True, 200),         # superuser
], ids=["staff-no-role", "staff-clerk", "clerk", "no-role", "deal-admin-not-staff", "deal-admin", "superuser"])
@pytest.mark.parametrize("page", PAGES)
def test_admin_entry_by_staff_flag_and_role(client, django_user_model, staff, role, superuser, expected, page):
    _login(client, django_user_model, staff=staff, role=role, superuser=superuser)
    assert client.get(page).status_code == expected


def test_staff_clerk_cannot_post_to_a_change_page(client, django_user_model, demo):
    _login(client, django_user_model, staff=True, role=CLERK)
    deb = demo["debentures"][0]
    assert client.post(f"/admin/deals/debenture/{deb.pk}/change/", {"principal": "1"}).status_code == 403
    deb.refresh_from_db()
    assert deb.principal_outstanding == deb.principal


def test_staff_without_role_gets_403_on_the_admin_login_page(client, django_user_model):
    _login(client, django_user_model, staff=True)
    assert client.get("/admin/login/").status_code == 403


def test_anonymous_is_sent_to_the_login_form(client):
    response = client.get("/admin/deals/debenture/")
    assert response.status_code == 302 and "login" in response["Location"]
