"""Deal terms: columns generated from DealTerms; versions immutable; a new version changes
nothing that already happened."""

import dataclasses
import datetime
import typing
from decimal import Decimal

import pytest
from django.db import models as dj

from deals import models as m
from deals.terms import params
from deals.terms.params import NHTC_DEFAULTS, DealTerms

ADD_URL = "/admin/deals/dealtermsversion/add/"


def test_dealtermsversion_columns_match_dealterms_fields():
    hints = typing.get_type_hints(DealTerms, vars(params))
    for f in dataclasses.fields(DealTerms):
        column = m.DealTermsVersion._meta.get_field(f.name)
        py = hints[f.name]
        expected = {bool: dj.BooleanField, int: dj.PositiveIntegerField, Decimal: dj.DecimalField, str: dj.TextField}.get(py, dj.CharField)
        assert isinstance(column, expected), f.name
        default = f.default.value if hasattr(f.default, "value") else f.default
        assert column.default == default, f.name
        assert f.metadata["clause"] in column.help_text, f.name
    term_columns = {
        f.name for f in m.DealTermsVersion._meta.concrete_fields
        if f.name not in {"id", "financing", "version", "effective_from", "reason", "created_by", "created_at"}
    }
    assert term_columns == set(DealTerms.field_names())


def _post_data(version: m.DealTermsVersion, **changes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {n: getattr(version, n) for n in DealTerms.field_names()}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False and v is not None}
    data.update({"financing": version.financing_id, "effective_from": "2000-04-01", "reason": "SPA 4(j)(v) price protection"})
    # issue 12: a contract term changed -> the written instrument; no Debenture is held yet, so the
    # Company's signature is the instrument signed by the party charged (SPA 9(i))
    data.update({"instrument": SimpleUploadedFile("amendment.pdf", b"%PDF-1.4 amendment"),
                 "instrument_date": "2000-03-31", "company_consents": "on"})
    data.update(changes)
    return data


def _approve_latest():
    """Issue 12 (four eyes): a second deal admin approves the pending terms version."""
    from django.contrib.auth.models import Group, User

    from deals.services.approvals import approval_approve

    checker = User.objects.filter(username="checker").first()
    if checker is None:
        checker = User.objects.create_user("checker", password="x", is_staff=True)
        checker.groups.add(Group.objects.get(name="Deal admin"))
    pending = m.Approval.objects.filter(kind="terms_version", status="pending").latest("id")
    return approval_approve(approval=pending, checker=checker)


@pytest.fixture
def v1(db):
    from tests.factories import DealTermsVersionFactory, FinancingFactory

    return DealTermsVersionFactory(financing=FinancingFactory(name="Debentures 2000", terms=False), version=1)


def _add(version) -> str:
    return f"{ADD_URL}?financing={version.financing_id}"


@pytest.mark.django_db
def test_add_starts_by_picking_the_financing(deal_admin_client, v1):
    from tests.factories import FinancingFactory

    other = FinancingFactory(name="Debentures 2001", terms=False)
    page = deal_admin_client.get(ADD_URL).content.decode()
    assert f"?financing={v1.financing_id}" in page and f"?financing={other.pk}" in page
    assert "v1 from 1999-01-01" in page and "none yet" in page  # the other financing has no terms yet
    assert 'name="effective_from"' not in page  # no form until a financing is picked


@pytest.mark.django_db
def test_add_form_is_prefilled_from_that_financings_latest_version(deal_admin_client, v1):
    from tests.factories import FinancingFactory

    other = FinancingFactory(name="Debentures 2001")
    m.DealTermsVersion.objects.filter(pk=v1.pk).update(debenture_fixed_price=Decimal("1.2500"))
    response = deal_admin_client.get(_add(v1))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.initial["debenture_fixed_price"] == Decimal("1.2500")
    assert form.initial["financing"] == v1.financing_id
    assert "effective_from" not in form.initial and "reason" not in form.initial
    other_form = deal_admin_client.get(f"{ADD_URL}?financing={other.pk}").context["adminform"].form
    assert other_form.initial["debenture_fixed_price"] == NHTC_DEFAULTS.debenture_fixed_price


@pytest.mark.django_db
def test_new_version_numbers_and_diffs_per_financing(deal_admin_client, v1):
    from deals.selectors.terms import terms_in_force
    from tests.factories import FinancingFactory

    other = FinancingFactory(name="Debentures 2001")
    other_v1 = other.terms_versions.get()
    response = deal_admin_client.post(_add(v1), _post_data(v1, cap_pct="19.5"))
    assert response.status_code == 302
    assert not m.DealTermsVersion.objects.filter(financing=v1.financing, version=2).exists()  # pending
    _approve_latest()
    v2 = m.DealTermsVersion.objects.get(financing=v1.financing, version=2)
    assert terms_in_force(financing=other, day=datetime.date(2000, 4, 1)).version == other_v1  # untouched
    page = deal_admin_client.get(f"/admin/deals/dealtermsversion/{v2.pk}/change/").content.decode()
    assert "<th>v1</th><th>v2</th>" in page and "19.5" in page
    other_page = deal_admin_client.get(f"/admin/deals/dealtermsversion/{other_v1.pk}/change/").content.decode()
    assert "The first version of Debentures 2001" in other_page


@pytest.mark.django_db
def test_new_version_after_a_conversion_leaves_the_conversion_alone(deal_admin_client, deal_admin, v1):
    from tests.factories import DebentureFactory

    deb = DebentureFactory()
    conv = m.Conversion.objects.create(
        debenture=deb, investor=deb.investor, terms_version=v1, amount=Decimal("50000"),
        conversion_date=datetime.date(2000, 3, 27), notice_method="facsimile",
        notice_received_date=datetime.date(2000, 3, 27), conversion_price=Decimal("1.4375"),
        shares_for_amount=34783, shares_issuable=34783, delivery_date=datetime.date(2000, 3, 30),
        snapshot={"conversion_price": "1.4375"}, idempotency_key="k1", created_by=deal_admin,
    )
    before = m.Conversion.objects.filter(pk=conv.pk).values().get()

    response = deal_admin_client.post(_add(v1), _post_data(v1, debenture_fixed_price="1.0000"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    _approve_latest()

    v2 = m.DealTermsVersion.objects.get(version=2)
    assert v2.debenture_fixed_price == Decimal("1.0000") and v2.created_by == deal_admin
    assert v2.effective_from == datetime.date(2000, 4, 1)
    after = m.Conversion.objects.filter(pk=conv.pk).values().get()
    before.pop("updated_at"), after.pop("updated_at")
    assert after == before  # figures, snapshot and terms link unchanged
    v1.refresh_from_db()
    assert v1.debenture_fixed_price == NHTC_DEFAULTS.debenture_fixed_price
    from deals.selectors.terms import terms_in_force

    assert terms_in_force(financing=v1.financing, day=datetime.date(2000, 3, 31)).version == v1
    assert terms_in_force(financing=v1.financing, day=datetime.date(2000, 4, 1)).version == v2


@pytest.mark.django_db
def test_version_page_shows_the_diff_from_the_previous_one(deal_admin_client, v1):
    deal_admin_client.post(_add(v1), _post_data(v1, cap_pct="19.5"))
    _approve_latest()
    v2 = m.DealTermsVersion.objects.get(version=2)
    page = deal_admin_client.get(f"/admin/deals/dealtermsversion/{v2.pk}/change/").content.decode()
    assert "Changes from the previous version" in page
    assert "19.5" in page and "SPA 4(d)(ii), 4(i)" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes,fragment",
    [
        ({}, "version 1; change at least one value"),
        ({"cap_pct": "19", "effective_from": "1998-12-31"}, "outside the supported dates"),
        ({"cap_pct": "19", "effective_from": ""}, "This field is required"),
        ({"cap_pct": "19", "reason": ""}, "This field is required"),
        ({"cap_pct": "-1"}, "greater than or equal to 0"),
        # issue 15 item 13: 0, out-of-range values and cross-field rules, each named with its number
        ({"debenture_fixed_price": "0"}, "Debenture fixed price is 0; it must be more than 0"),
        ({"debenture_discount_pct": "0"}, "Debenture discount (%) is 0; it must be more than 0"),
        ({"debenture_discount_pct": "100.5"}, "Debenture discount (%) is 100.5; it must be at most 100"),
        ({"cap_pct": "2147483648"}, "Cap (%) is 2,147,483,648; it must be at most 100"),
        ({"debenture_lookback_days": "0"}, "Debenture lookback days is 0; it must be at least 1"),
        ({"debenture_lookback_days": "2147483648"}, "the maximum is 2,147,483,647"),
        ({"debenture_lookback_days": "1001"}, "Debenture lookback days is 1,001; it must be at most 1,000"),
        ({"debenture_day_count": "act_999"}, "Select a valid choice"),
        ({"debenture_lookback_method": "average_lowest", "debenture_lookback_days": "5", "debenture_lookback_lowest": "6"},
         "cannot take more than the 5 look-back trading days"),
    ],
)
def test_bad_new_versions_are_refused_in_plain_words(deal_admin_client, v1, changes, fragment):
    response = deal_admin_client.post(_add(v1), _post_data(v1, **changes))
    assert response.status_code == 200
    assert fragment in response.content.decode()
    assert m.DealTermsVersion.objects.count() == 1


@pytest.mark.django_db
def test_versions_cannot_be_changed_or_deleted(deal_admin_client, v1):
    url = f"/admin/deals/dealtermsversion/{v1.pk}/change/"
    page = deal_admin_client.get(url)
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert deal_admin_client.post(url, _post_data(v1, cap_pct="1")).status_code == 403
    assert deal_admin_client.post(f"/admin/deals/dealtermsversion/{v1.pk}/delete/", {"post": "yes"}).status_code == 403
    v1.refresh_from_db()
    assert v1.cap_pct == NHTC_DEFAULTS.cap_pct


@pytest.mark.django_db
def test_clerk_cannot_add_terms(clerk_client, v1):
    assert clerk_client.get(ADD_URL).status_code == 403
    assert clerk_client.post(ADD_URL, _post_data(v1, cap_pct="1")).status_code == 403


@pytest.mark.django_db
def test_a_financing_carries_only_its_kinds_terms(deal_admin_client, v1):
    from tests.factories import SeriesJFinancingFactory

    sj = SeriesJFinancingFactory(name="Series K")
    pref_page = deal_admin_client.get(f"{ADD_URL}?financing={sj.pk}").content.decode()
    assert 'name="preferred_discount_pct"' in pref_page and 'name="warrant_coverage_pct"' in pref_page
    assert 'name="debenture_fixed_price"' not in pref_page and 'name="eod_dismissal_days"' not in pref_page
    deb_page = deal_admin_client.get(_add(v1)).content.decode()
    assert 'name="debenture_fixed_price"' in deb_page and 'name="cap_pct"' in deb_page
    assert 'name="preferred_stated_value"' not in deb_page and 'name="periodic_amount_pct"' not in deb_page
    # posting a preferred term onto the debenture financing stores nothing of it
    response = deal_admin_client.post(_add(v1), _post_data(v1, cap_pct="19", preferred_stated_value="1"))
    assert response.status_code == 302
    _approve_latest()
    v2 = m.DealTermsVersion.objects.get(financing=v1.financing, version=2)
    assert v2.preferred_stated_value is None and v2.cap_pct == Decimal("19")
    assert v2.to_terms().preferred_stated_value is None


@pytest.mark.django_db
def test_model_refuses_another_kinds_terms_and_a_missing_financing(v1):
    from django.core.exceptions import ValidationError

    bad = m.DealTermsVersion(financing=v1.financing, version=9, effective_from=datetime.date(2000, 1, 1), reason="x",
                             **m.DealTermsVersion.values_from_terms(NHTC_DEFAULTS))  # every kind's terms
    with pytest.raises(ValidationError) as err:
        bad.full_clean()
    assert "is a preferred term; a debenture financing does not carry it (Debentures 2000)" in str(err.value)
    orphan = m.DealTermsVersion(version=9, effective_from=datetime.date(2000, 1, 1), reason="x")
    with pytest.raises(ValidationError, match="belongs to a financing"):
        orphan.clean()


@pytest.mark.django_db
def test_service_layer_refuses_a_version_it_cannot_compute_with(v1):
    """A stored version with 0 in a term (data from before the fix): the workflows get a
    clear refusal naming the version and the field, never a 500."""
    from deals.selectors.terms import TermsBook, TermsNotComputable, terms_in_force

    m.DealTermsVersion.objects.filter(pk=v1.pk).update(debenture_fixed_price=0)
    with pytest.raises(TermsNotComputable) as err:
        terms_in_force(financing=v1.financing, day=datetime.date(2000, 6, 1))
    text = str(err.value)
    assert "Deal terms v1 of Debentures 2000" in text and "debenture_fixed_price" in text and "is 0" in text
    with pytest.raises(TermsNotComputable, match="debenture_fixed_price"):
        TermsBook().in_force(financing=v1.financing_id, day=datetime.date(2000, 6, 1))


@pytest.mark.django_db
def test_financing_page_lists_its_own_versions_only(deal_admin_client, v1):
    from tests.factories import SeriesJFinancingFactory

    other = SeriesJFinancingFactory(name="Series K", terms__reason="Series K CoD")
    page = deal_admin_client.get(f"/admin/deals/financing/{v1.financing_id}/change/").content.decode()
    assert f"/admin/deals/dealtermsversion/{v1.pk}/change/" in page and "NHTC defaults" in page
    assert "Series K CoD" not in page
    assert f"?financing={v1.financing_id}" in page
    other_page = deal_admin_client.get(f"/admin/deals/financing/{other.pk}/change/").content.decode()
    assert "Series K CoD" in other_page and f"/admin/deals/dealtermsversion/{v1.pk}/change/" not in other_page
