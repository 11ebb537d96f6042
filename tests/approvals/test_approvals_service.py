"""Maker-checker (issue 12): request -> pending -> a different deal admin approves -> applies.
The maker cannot approve their own; a decided item is not decided again; rejections keep a reason;
every step is a history row; nothing applies before approval."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from deals.models import Approval, DealTermsVersion, Settlement
from deals.services.approvals import (
    approval_approve,
    approval_reject,
    settlement_submit,
    terms_version_request,
)
from deals.services.errors import WorkflowError

from .conftest import EFFECTIVE, terms_values

D = Decimal


def _clerical_request(series_j, maker):
    return terms_version_request(
        financing=series_j.financing, effective_from=EFFECTIVE, reason="fax check loosened", maker=maker,
        values=terms_values(series_j.financing, fax_date_max_business_days=7),
    )


def test_terms_version_pending_until_a_second_admin_approves(series_j, deal_admin, checker):
    a = _clerical_request(series_j, deal_admin)
    assert a.status == "pending" and a.kind == "terms_version"
    assert DealTermsVersion.objects.filter(financing=series_j.financing).count() == 1  # nothing applied yet
    a = approval_approve(approval=a, checker=checker)
    assert a.status == "approved" and a.checker == checker and a.decided_at is not None
    v2 = DealTermsVersion.objects.get(financing=series_j.financing, version=2)
    assert v2.fax_date_max_business_days == 7 and v2.effective_from == EFFECTIVE and v2.created_by == deal_admin
    assert a.result_id == v2.pk and a.result_model == "deals.DealTermsVersion"
    assert [h.status for h in a.history.order_by("history_date")] == ["pending", "approved"]
    assert a.history.latest().history_user == checker


def test_maker_cannot_approve_or_reject_own_request(series_j, deal_admin):
    a = _clerical_request(series_j, deal_admin)
    with pytest.raises(WorkflowError, match="different deal admin") as err:
        approval_approve(approval=a, checker=deal_admin)
    assert err.value.code == "own_request"
    with pytest.raises(WorkflowError, match="different deal admin"):
        approval_reject(approval=a, checker=deal_admin, reason="no")
    a.refresh_from_db()
    assert a.status == "pending" and a.history.count() == 1
    assert DealTermsVersion.objects.filter(financing=series_j.financing).count() == 1


def test_decided_item_is_not_decided_again(series_j, deal_admin, checker, django_user_model):
    from tests.approvals.conftest import DEAL_ADMIN, Group

    third = django_user_model.objects.create_user(username="third", password="x", is_staff=True)
    third.groups.add(Group.objects.get(name=DEAL_ADMIN))
    a = _clerical_request(series_j, deal_admin)
    approval_approve(approval=a, checker=checker)
    for fn, kw in ((approval_approve, {}), (approval_reject, {"reason": "late"})):
        with pytest.raises(WorkflowError, match="already approved and applied") as err:
            fn(approval=a.pk, checker=third, **kw)
        assert err.value.code == "already_decided"
    assert DealTermsVersion.objects.filter(financing=series_j.financing).count() == 2  # applied once


def test_rejection_keeps_reason_and_applies_nothing(series_j, deal_admin, checker):
    a = _clerical_request(series_j, deal_admin)
    with pytest.raises(WorkflowError, match="Say why"):
        approval_reject(approval=a, checker=checker, reason="   ")
    a = approval_reject(approval=a, checker=checker, reason="wrong figure: 5 per the Debenture")
    assert a.status == "rejected" and a.decision_reason == "wrong figure: 5 per the Debenture"
    assert DealTermsVersion.objects.filter(financing=series_j.financing).count() == 1
    with pytest.raises(WorkflowError, match="already rejected"):
        approval_approve(approval=a, checker=checker)


def test_clerk_cannot_request_or_decide(series_j, deal_admin, clerk):
    with pytest.raises(PermissionDenied):
        _clerical_request(series_j, clerk)
    a = _clerical_request(series_j, deal_admin)
    with pytest.raises(PermissionDenied):
        approval_approve(approval=a, checker=clerk)
    assert Approval.objects.get().status == "pending"


def test_unknown_approval_is_refused(db, checker):
    with pytest.raises(WorkflowError, match="no approval #999"):
        approval_approve(approval=999, checker=checker)


def test_terms_version_effective_on_or_after_recorded_conversion_needs_acknowledgement(deal_admin, checker):
    from tests.services.test_conversions import CONV_DATE, make_world, submit

    w = make_world()
    conv = submit(w.preferred, "10000", deal_admin)
    fin = w.preferred.financing
    values = terms_values(fin, fax_date_max_business_days=7)
    # on the conversion's day: it would have used this version -> listed, refused without the tick
    with pytest.raises(WorkflowError, match=f"Conversion #{conv.pk}") as err:
        terms_version_request(financing=fin, effective_from=CONV_DATE, reason="r", maker=deal_admin, values=values)
    assert err.value.code == "records_after_effective" and not Approval.objects.exists()
    a = terms_version_request(financing=fin, effective_from=CONV_DATE, reason="r", maker=deal_admin, values=values,
                              acknowledged=True)
    assert a.payload["records_count"] == 1 and a.payload["records_acknowledged"][0]["pk"] == conv.pk
    approval_approve(approval=a, checker=checker)
    conv.refresh_from_db()
    assert conv.terms_version.version == 1  # past records keep their version
    # the day after the conversion: nothing recorded on or after it, no tick needed
    a2 = terms_version_request(financing=fin, effective_from=CONV_DATE + datetime.timedelta(days=1), reason="r",
                               maker=deal_admin, values=terms_values(fin, fax_date_max_business_days=6))
    assert a2.payload["records_count"] == 0


# --- (c), (d) waivers and payments above the threshold ----------------------------------------


@pytest.fixture
def obligation(deal_admin):
    from deals.models import Obligation, ObligationKind
    from deals.services import conversions as svc
    from tests.ledger.conftest import DELIVERED
    from tests.services.test_conversions import make_world, set_business_date, submit

    w = make_world(end=datetime.date(2000, 7, 31))
    conv = submit(w.preferred, "10000", deal_admin)
    set_business_date(DELIVERED)
    svc.delivery_record(conversion=conv, delivered_date=DELIVERED, reference="DWAC 9", user=deal_admin)
    return Obligation.objects.get(kind=ObligationKind.LATE_PAYMENT)  # SPA 5(c): $200.00


def _pay(ob, amount, by, **kw):
    from tests.ledger.conftest import DELIVERED

    return settlement_submit(obligation_id=ob.pk, kind=kw.pop("kind", "payment"), date=DELIVERED, amount=amount,
                             method=kw.pop("method", "wire"), by=by, **kw)


@pytest.mark.parametrize("amount, pending", [("99.99", False), ("100.00", False), ("100.01", True)])
def test_payment_above_threshold_waits_at_and_under_records(obligation, deal_admin, checker, settings, amount, pending):
    settings.APPROVAL_PAYMENT_THRESHOLD = "100"
    out = _pay(obligation, amount, deal_admin)
    assert isinstance(out, Approval) is pending
    obligation.refresh_from_db()
    if pending:
        assert out.kind == "settlement" and out.amount == D(amount) and "above the $100.00 approval threshold" in out.summary
        assert not Settlement.objects.exists() and obligation.settled == 0
        entry = approval_approve(approval=out, checker=checker)
        obligation.refresh_from_db()
        assert obligation.settled == D(amount) and Settlement.objects.get().recorded_by == deal_admin
        assert entry.result_model == "deals.Settlement"
    else:
        assert isinstance(out, Settlement) and obligation.settled == D(amount)


def test_waiver_always_waits_and_is_checked_first(obligation, deal_admin, checker):
    with pytest.raises(WorkflowError, match="names who waived"):
        _pay(obligation, "50", deal_admin, kind="waiver", waived_by="Holder")
    with pytest.raises(WorkflowError, match="more than the balance"):
        _pay(obligation, "500", deal_admin, kind="waiver", waived_by="Holder", instrument="Letter 2000-06-13")
    assert not Approval.objects.exists()
    a = _pay(obligation, "200", deal_admin, kind="waiver", waived_by="Holder", instrument="Letter 2000-06-13")
    assert a.kind == "waiver" and not Settlement.objects.exists()
    approval_approve(approval=a, checker=checker)
    obligation.refresh_from_db()
    assert obligation.status == "waived" and Settlement.objects.get().instrument == "Letter 2000-06-13"


def test_approval_refused_when_the_balance_changed_meanwhile_stays_pending(obligation, deal_admin, checker, settings):
    settings.APPROVAL_PAYMENT_THRESHOLD = "100"
    a = _pay(obligation, "150", deal_admin)
    _pay(obligation, "100", deal_admin)  # recorded at once: balance now $100
    with pytest.raises(WorkflowError, match="more than the balance of \\$100.00"):
        approval_approve(approval=a, checker=checker)
    a.refresh_from_db()
    assert a.status == "pending" and Settlement.objects.count() == 1


def test_first_version_of_a_financing_needs_no_consent_but_four_eyes(db, deal_admin, checker):
    from deals.models import Financing
    from deals.terms.params import NHTC_DEFAULTS
    from tests import factories as f

    fin = f.SeriesJFinancingFactory(terms=False)
    values = DealTermsVersion.values_from_terms(NHTC_DEFAULTS, kind=fin.terms_kind)
    a = terms_version_request(financing=fin, effective_from=datetime.date(2000, 1, 14), reason="as agreed",
                              maker=deal_admin, values=values)
    assert "first version" in a.summary and a.payload["contract_terms"] == [] and not a.consents.exists()
    approval_approve(approval=a, checker=checker)
    assert Financing.objects.get(pk=fin.pk).terms_versions.get().version == 1
