"""Shared fixtures: users in each role, logged-in clients, eager Celery."""

import pytest
from django.contrib.auth.models import Group

from deals.services.roles import CLERK, DEAL_ADMIN, ensure_groups


@pytest.fixture(autouse=True)
def _celery_eager(settings):
    """Tests run Celery tasks in-process unless a test starts a real worker."""
    from nhtc.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Rendered notices go to a per-test folder, never the repo's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _user(django_user_model, username: str, group: str | None, staff: bool = False):
    ensure_groups()
    user = django_user_model.objects.create_user(username=username, password="pw-for-tests-only", is_staff=staff)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def clerk(db, django_user_model):
    return _user(django_user_model, "clerk", CLERK)


@pytest.fixture
def deal_admin(db, django_user_model):
    return _user(django_user_model, "dealadmin", DEAL_ADMIN, staff=True)


@pytest.fixture
def no_role_user(db, django_user_model):
    return _user(django_user_model, "norole", None)


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client


@pytest.fixture
def deal_admin_client(client, deal_admin):
    client.force_login(deal_admin)
    return client
