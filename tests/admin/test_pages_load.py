"""Every admin page loads for a deal admin with the demo data; clerks get 403."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

MODELS = [
    model for model in apps.get_app_config("deals").get_models() if not model.__name__.startswith("Historical")
]
IDS = [model.__name__ for model in MODELS]


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_deals_model_is_registered_with_history():
    from simple_history.admin import SimpleHistoryAdmin

    for model in MODELS:
        assert admin.site.is_registered(model), model.__name__
        assert isinstance(admin.site._registry[model], SimpleHistoryAdmin), model.__name__


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_changelist_change_history_and_add_pages_load(deal_admin_client, demo_with_records, model):
    model_admin = admin.site._registry[model]
    response = deal_admin_client.get(_url(model, "changelist"), follow=True)
    assert response.status_code == 200

    obj = model.objects.first()
    if obj is not None:
        assert deal_admin_client.get(_url(model, "change", obj.pk)).status_code == 200
        assert deal_admin_client.get(_url(model, "history", obj.pk)).status_code == 200

    request = response.wsgi_request
    expected = 200 if model_admin.has_add_permission(request) else 403
    assert deal_admin_client.get(_url(model, "add")).status_code == expected


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_clerk_gets_403_everywhere_in_the_admin(clerk_client, model):
    assert clerk_client.get(_url(model, "changelist")).status_code == 403


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get("/admin/deals/debenture/")
    assert response.status_code == 302
    assert "login" in response["Location"]
