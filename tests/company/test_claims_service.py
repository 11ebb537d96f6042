"""Indemnification Agreement 3-6 and RRA 6: claims register and survival deadline."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from deals.models import IndemnificationClaim, ObligationKind
from deals.services.company import claims as svc
from deals.services.ledger.writer import obligations_for

D = datetime.date


def _data(**kw):
    data = {
        "source": "indemnification",
        "claimant": "Natural Health Trends Corp.",
        "indemnifying_party": "Terry L. LaCore",
        "conduct": "Conduct before 2006-10-31",
        "notice_date": D(2008, 1, 10),
        "defense_assumed": False,
        "defense_assumed_by": "",
        "counsel": "",
        "amount_incurred": Decimal("25000"),
        "amount_reimbursed": Decimal("0"),
    }
    data.update(kw)
    return data


@pytest.mark.django_db
def test_a_claim_under_the_2006_agreement_carries_the_survival_deadline(db):
    claim = svc.claim_record(data=_data(), user=None, as_of=D(2008, 1, 10))
    assert claim.survival_deadline == D(2009, 10, 31)
    ob = obligations_for(claim).get(kind=ObligationKind.INDEMNIFICATION_SURVIVAL)
    assert ob.due_date == D(2009, 10, 31) and ob.amount == Decimal("25000") and ob.clause == "Indemnification 6"


@pytest.mark.django_db
def test_notice_on_the_last_operative_day_is_in_time_and_the_day_after_is_not(db):
    svc.claim_record(data=_data(notice_date=D(2009, 10, 31)), user=None, as_of=D(2009, 10, 31))
    with pytest.raises(ValidationError, match="out of time"):
        svc.claim_record(data=_data(notice_date=D(2009, 11, 1)), user=None, as_of=D(2009, 11, 1))
    with pytest.raises(ValidationError, match="precedes it"):
        svc.claim_record(data=_data(notice_date=D(2006, 10, 30)), user=None, as_of=D(2006, 10, 30))


@pytest.mark.django_db
def test_an_rra_6_claim_has_no_survival_deadline(db):
    claim = svc.claim_record(
        data=_data(source="rra6", notice_date=D(2000, 9, 1), claimant="Alpha Fund Ltd.", indemnifying_party="Natural Health Trends Corp."),
        user=None,
        as_of=D(2000, 9, 1),
    )
    assert claim.survival_deadline is None and not obligations_for(claim).exists()


@pytest.mark.django_db
def test_defense_and_amounts_are_checked(db):
    with pytest.raises(ValidationError, match="who assumed"):
        svc.claim_record(data=_data(defense_assumed=True), user=None, as_of=D(2008, 1, 10))
    with pytest.raises(ValidationError, match="more than incurred"):
        svc.claim_record(data=_data(amount_reimbursed=Decimal("25000.01")), user=None, as_of=D(2008, 1, 10))


@pytest.mark.django_db
def test_updating_reimbursements_updates_the_amount_outstanding(db):
    claim = svc.claim_record(data=_data(), user=None, as_of=D(2008, 1, 10))
    claim = svc.claim_update(
        claim=claim,
        data={"amount_reimbursed": Decimal("10000"), "defense_assumed": True, "defense_assumed_by": "LaCore", "counsel": "Smith LLP"},
        user=None,
        as_of=D(2008, 2, 1),
    )
    assert claim.history.count() == 2
    assert obligations_for(claim).get().amount == Decimal("15000")
    assert IndemnificationClaim.objects.get().counsel == "Smith LLP"
