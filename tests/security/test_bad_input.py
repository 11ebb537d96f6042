"""Issue 15 items 11 and 12: dates outside the calendars' range and integers beyond the database's
are refused by every form with the limit named; NUL characters are refused; a stored
out-of-range date never makes a page 500."""

import datetime
import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.db import models, transaction
from django.test import Client
from django.urls import reverse

import deals.forms
from deals import models as m
from deals.forms.fields import BoundedIntegerField, ContractDateField, SafeInputMixin, harden_field


def _form_classes():
    modules = [importlib.import_module(f"deals.forms.{i.name}") for i in pkgutil.iter_modules(deals.forms.__path__)]
    modules.append(importlib.import_module("notices.forms"))
    for module in modules:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


FORMS = sorted(set(_form_classes()), key=lambda c: c.__qualname__)


@pytest.mark.parametrize("form_class", FORMS, ids=[c.__name__ for c in FORMS])
def test_every_form_applies_the_shared_limits(form_class):
    assert issubclass(form_class, SafeInputMixin), f"{form_class.__name__} must derive from SafeForm/SafeModelForm"


@pytest.mark.parametrize(("raw", "ok"), [
    ("1998-12-31", False), ("1999-01-01", True), ("2035-12-31", True), ("2036-01-01", False), ("9999-12-31", False),
    ("0001-01-01", False),
])
def test_contract_date_field_edges(raw, ok):
    field = ContractDateField()
    if ok:
        assert field.clean(raw) == datetime.date.fromisoformat(raw)
    else:
        with pytest.raises(forms.ValidationError, match="outside the supported dates, 1999-01-01 to 2035-12-31"):
            field.clean(raw)


def test_integers_beyond_the_column_are_refused_with_the_maximum():
    field = BoundedIntegerField()
    assert field.clean("2147483647") == 2_147_483_647
    with pytest.raises(forms.ValidationError, match="the maximum is 2,147,483,647"):
        field.clean("2147483648")
    with pytest.raises(forms.ValidationError, match="the maximum is 2,147,483,647"):
        field.clean("9" * 30)


def test_harden_field_adds_a_nul_check_to_non_text_fields():
    field = forms.ChoiceField(choices=[("a", "a")])
    harden_field(field)
    harden_field(field)  # idempotent
    assert sum(1 for v in field.validators if getattr(v, "__name__", "") == "_no_nul") == 1


@pytest.mark.django_db
def test_registration_form_refuses_a_far_date_and_a_huge_share_count(deal_admin_client, demo):
    fin = m.Financing.objects.filter(kind="series_j").first() or m.Financing.objects.first()
    url = reverse("company_registration", args=[fin.pk])
    before = list(m.RegistrationStatement.objects.values())
    response = deal_admin_client.post(url, {"filed_date": "9999-12-31", "shares_registered": "2147483648"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "9999-12-31 is outside the supported dates, 1999-01-01 to 2035-12-31" in body
    assert "the maximum is 2,147,483,647" in body
    assert list(m.RegistrationStatement.objects.values()) == before


@pytest.mark.django_db
def test_suspension_live_preview_refuses_a_far_date_as_json(deal_admin_client, demo):
    fin = demo["registration_statement"].financing
    url = reverse("company_suspension_preview", args=[fin.pk])
    response = deal_admin_client.get(url, {"start_date": "2000-04-03", "end_date": "9999-12-31"})
    assert response.status_code == 400
    assert "outside the supported dates" in str(response.json()["errors"]["end_date"])


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/admin/deals/investor/?q=a%00b", "/notices/?kind=%00", "/conversions/?q=%00"])
def test_nul_in_a_query_string_is_refused(deal_admin_client, url):
    response = deal_admin_client.get(url)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


@pytest.mark.django_db
def test_nul_in_a_posted_field_is_refused_and_nothing_is_written(deal_admin_client, demo):
    issuer = demo["issuer"]
    response = deal_admin_client.post(f"/admin/deals/issuer/{issuer.pk}/change/", {"name": "Evil\x00Corp"})
    assert response.status_code == 400
    issuer.refresh_from_db()
    assert "\x00" not in issuer.name


@pytest.mark.django_db
def test_preferred_holding_admin_with_a_blank_liquidation_preference_validates(deal_admin_client, demo):
    holding = m.PreferredHolding.objects.first()
    data = {"financing": holding.financing_id, "investor": holding.investor_id, "certificate_number": "PX-1",
            "shares": "", "liquidation_preference": "", "purchase_price": "", "closing_date": "9999-12-31"}
    count = m.PreferredHolding.objects.count()
    response = deal_admin_client.post("/admin/deals/preferredholding/add/", data)
    assert response.status_code == 200
    assert "outside the supported dates" in response.content.decode()
    data.update(shares="10", closing_date="")
    assert deal_admin_client.post("/admin/deals/preferredholding/add/", data).status_code in (200, 302)
    data.update(shares="", closing_date="2000-03-07")
    assert deal_admin_client.post("/admin/deals/preferredholding/add/", data).status_code == 200
    assert m.PreferredHolding.objects.count() <= count + 1


def _store_far_dates(day):
    """Put ``day`` into every date column of one row of each model (as data loaded before the fix)."""
    for model in apps.get_app_config("deals").get_models():
        if model.__name__.startswith("Historical") or model is m.BusinessDate:
            continue
        obj = model.objects.order_by("pk").first()
        names = [f.name for f in model._meta.concrete_fields
                 if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField)]
        for name in names if obj is not None else ():
            try:
                with transaction.atomic():
                    model.objects.filter(pk=obj.pk).update(**{name: day})
            except Exception:  # a check constraint (issue before maturity, start before end)
                pass


def _pages():
    urls = ["/", "/deadlines/", "/conversions/", "/exercises/", "/redemptions/", "/investors/", "/notices/",
            "/company/", "/company/registration/", "/company/damages/", "/company/offers/", "/company/defaults/",
            "/company/notices/", "/company/claims/"]
    for f in m.Financing.objects.all():
        urls += [f"/company/registration/{f.pk}/", f"/company/damages/{f.pk}/",
                 f"/company/registration/{f.pk}/suspensions/"]
    for model, prefix in ((m.Conversion, "conversions"), (m.WarrantExercise, "exercises"),
                          (m.Redemption, "redemptions"), (m.Investor, "investors")):
        urls += [f"/{prefix}/{pk}/" for pk in model.objects.values_list("pk", flat=True)]
    for model in admin.site._registry:
        if model._meta.app_label == "deals":
            info = model._meta.app_label, model._meta.model_name
            urls.append(reverse("admin:{}_{}_changelist".format(*info)))
            obj = model.objects.order_by("pk").first()
            if obj is not None:
                urls.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
    return urls


@pytest.mark.django_db
@pytest.mark.parametrize("day", [datetime.date(9999, 12, 31), datetime.date(1900, 1, 1)], ids=["9999", "1900"])
def test_a_stored_out_of_range_date_never_makes_a_page_500(deal_admin, demo_with_records, day):
    _store_far_dates(day)
    client = Client(raise_request_exception=False)
    client.force_login(deal_admin)
    failures = [url for url in _pages() if client.get(url, follow=True).status_code >= 500]
    assert failures == []


@pytest.mark.django_db
def test_the_page_names_the_out_of_range_date_and_links_the_record(deal_admin_client, demo):
    statement = demo["registration_statement"]
    m.RegistrationStatement.objects.filter(pk=statement.pk).update(filed_date=datetime.date(9999, 12, 31))
    response = deal_admin_client.get(f"/company/registration/{statement.financing_id}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "9999-12-31" in body and "1999-01-01 to 2035-12-31" in body
    assert f"/admin/deals/registrationstatement/{statement.pk}/change/" in body


@pytest.mark.django_db
def test_admin_figure_shows_the_problem_instead_of_failing(deal_admin_client, demo):
    deb = demo["debentures"][0]
    m.Debenture.objects.filter(pk=deb.pk).update(maturity_date=datetime.date(9999, 12, 31),
                                                 closing_date=datetime.date(9999, 12, 30))
    response = deal_admin_client.get(f"/admin/deals/debenture/{deb.pk}/change/")
    assert response.status_code == 200
    assert "Cannot be computed" in response.content.decode()
