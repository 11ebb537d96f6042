"""Database constraints refuse bad instrument amounts; the admin form says why in plain words."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from deals.forms.admin import DebentureAdminForm, PreferredHoldingAdminForm, WarrantAdminForm
from deals.models import Debenture
from tests.factories import (
    DebentureFactory,
    FinancingFactory,
    InvestorFactory,
    PreferredHoldingFactory,
    SeriesJFinancingFactory,
    WarrantFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("principal", [Decimal("-100000"), Decimal("150000"), Decimal("0")])
def test_database_refuses_bad_principal(principal):
    with pytest.raises(IntegrityError), transaction.atomic():
        DebentureFactory(principal=principal, principal_outstanding=max(principal, Decimal(0)))


def test_database_refuses_negative_or_excess_outstanding():
    deb = DebentureFactory()
    for value in (Decimal("-1"), Decimal("200000")):
        with pytest.raises(IntegrityError), transaction.atomic():
            Debenture.objects.filter(pk=deb.pk).update(principal_outstanding=value)


def test_database_refuses_negative_lp_outstanding_and_excess_warrant_shares():
    holding = PreferredHoldingFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(holding).objects.filter(pk=holding.pk).update(liquidation_preference_outstanding=Decimal("-1"))
    warrant = WarrantFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(warrant).objects.filter(pk=warrant.pk).update(shares_remaining=warrant.shares + 1)


def _debenture_data(**over):
    fin = FinancingFactory()
    inv = InvestorFactory()
    data = {
        "financing": fin.pk, "investor": inv.pk, "number": "D-99", "principal": "100000",
        "dated_date": "1999-11-22", "issue_date": "1999-11-22", "closing_date": "1999-11-22", "maturity_date": "2000-03-31",
    }
    data.update(over)
    return data


@pytest.mark.parametrize(
    "principal,message",
    [
        ("-100000", "Principal must be positive; −$100,000.00 is not."),
        ("150000", "Principal must be a multiple of $100,000 (Debenture 1: denominations of US$100,000 and integral "
                   "multiples); $150,000.00 is not."),
    ],
)
def test_admin_form_explains_bad_principal(principal, message):
    form = DebentureAdminForm(data=_debenture_data(principal=principal))
    assert not form.is_valid()
    assert form.errors["principal"] == [message]


def test_admin_form_sets_outstanding_on_creation_and_refuses_changes_after_conversion():
    form = DebentureAdminForm(data=_debenture_data(principal="200000"))
    assert form.is_valid(), form.errors
    deb = form.save()
    assert deb.principal_outstanding == Decimal("200000")
    Debenture.objects.filter(pk=deb.pk).update(principal_outstanding=Decimal("150000"))
    deb.refresh_from_db()
    form = DebentureAdminForm(data=_debenture_data(principal="300000", financing=deb.financing_id,
                                                   investor=deb.investor_id), instance=deb)
    assert not form.is_valid()
    assert "$50,000.00 has been converted or redeemed" in form.errors["principal"][0]


def test_admin_form_refuses_maturity_before_issue():
    form = DebentureAdminForm(data=_debenture_data(maturity_date="1999-01-01"))
    assert not form.is_valid()
    assert form.errors["maturity_date"] == ["The maturity date 1999-01-01 must be after the date of initial issuance 1999-11-22."]
    assert form.errors["dated_date"] == ["The Debenture's date 1999-11-22 must be before its maturity date 1999-01-01."]


def test_admin_form_labels_the_two_debenture_dates_apart():
    # Debenture interest paragraph: "the date hereof" and "the date of initial issuance" are different facts
    form = DebentureAdminForm()
    assert form.fields["dated_date"].label == 'Dated ("the date hereof")'
    assert form.fields["issue_date"].label == "Date of initial issuance"
    assert "first business day after this date" in form.fields["dated_date"].help_text
    assert not DebentureAdminForm(data=_debenture_data(dated_date="")).is_valid()


def test_preferred_form_computes_lp_and_refuses_a_wrong_one():
    fin, inv = SeriesJFinancingFactory(), InvestorFactory()
    base = {"financing": fin.pk, "investor": inv.pk, "certificate_number": "J-9", "shares": "400",
            "closing_date": "2000-03-07"}
    form = PreferredHoldingAdminForm(data=base)
    assert form.is_valid(), form.errors
    holding = form.save()
    assert holding.liquidation_preference == holding.purchase_price == holding.liquidation_preference_outstanding
    assert holding.liquidation_preference == Decimal("400000")
    bad = PreferredHoldingAdminForm(data={**base, "certificate_number": "J-10", "liquidation_preference": "350000"})
    assert not bad.is_valid()
    assert bad.errors["liquidation_preference"] == [
        "The liquidation preference must be shares x stated value (SPA 1(b)(iv)): 400 x $1,000.00 = $400,000.00, "
        "not $350,000.00."
    ]


def test_warrant_form_computes_the_spa_4h_expiry_when_left_empty():
    fin, inv = SeriesJFinancingFactory(), InvestorFactory()
    form = WarrantAdminForm(data={"financing": fin.pk, "investor": inv.pk, "number": "W-9", "shares": "1000",
                                  "exercise_price": "2.0000", "issue_date": "2000-03-07",
                                  # no holding or price recorded: SPA 4(h) sizing cannot be checked, so a reason is needed
                                  "sizing_reason": "Figures from the warrant certificate; holding not yet entered"})
    assert form.is_valid(), form.errors
    w = form.save()
    assert w.expiry_date == datetime.date(2005, 3, 31) and w.shares_remaining == 1000
