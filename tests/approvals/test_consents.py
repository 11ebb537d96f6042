"""RRA 10 / SPA 9(i): a terms version that changes a contract term records the written instrument and
the consents of the holders who signed (their holding on the instrument's date); the engine's check
decides. Clerical terms need none. At, just under and just over 67%."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from deals.models import Approval, ApprovalConsent, DealTermsVersion
from deals.services.approvals import approval_approve, terms_version_request
from deals.services.errors import WorkflowError
from tests import factories as f

from .conftest import EFFECTIVE, terms_values

D = Decimal
SIGNED_ON = datetime.date(2000, 6, 30)


def _instrument():
    return SimpleUploadedFile("amendment.pdf", b"%PDF-1.4 written consent")


def _ask(financing, maker, signed, *, company=True, document=True, **changes):
    return terms_version_request(
        financing=financing, effective_from=EFFECTIVE, reason="RRA 2(b)(iii) Periodic Amount lowered", maker=maker,
        values=terms_values(financing, **(changes or {"periodic_amount_pct": D("1.5")})),
        document=_instrument() if document else None, instrument_date=SIGNED_ON, company_consents=company,
        signed={i.pk for i in signed})


@pytest.fixture
def split(db):
    """Two holders: 670 and 330 Series J shares ($670,000 / $330,000 of liquidation preference)."""
    fin = f.SeriesJFinancingFactory()
    a = f.PreferredHoldingFactory(financing=fin, shares=670)
    b = f.PreferredHoldingFactory(financing=fin, shares=330)
    return fin, a.investor, b.investor


@pytest.mark.parametrize("shares, passes", [(669, False), (670, True), (671, True)])
def test_rra10_needs_67_percent_of_the_liquidation_preference(db, deal_admin, checker, shares, passes):
    fin = f.SeriesJFinancingFactory()
    big = f.PreferredHoldingFactory(financing=fin, shares=shares).investor
    f.PreferredHoldingFactory(financing=fin, shares=1000 - shares)
    if not passes:
        with pytest.raises(WorkflowError) as err:
            _ask(fin, deal_admin, [big])
        assert err.value.code == "consent_short"
        assert ("RRA 10: consenting holders hold 66.90% of the liquidation preference; 67% is required. "
                "Signed: $669,000.00 of $1,000,000.00 held on 2000-06-30.") in err.value.message
        assert not Approval.objects.exists()
        return
    a = _ask(fin, deal_admin, [big])
    assert a.consent_check["passes"] and a.consent_check["clause"] == "RRA 10"
    assert a.payload["contract_terms"] == ["periodic_amount_pct"]
    rows = {r.investor_id: (r.holding, r.signed) for r in ApprovalConsent.objects.filter(approval=a)}
    assert rows[big.pk] == (D(shares * 1000), True) and len(rows) == 2
    approval_approve(approval=a, checker=checker)
    assert DealTermsVersion.objects.get(financing=fin, version=2).periodic_amount_pct == D("1.5")


def test_company_must_sign_and_instrument_attached(split, deal_admin):
    fin, a, b = split
    with pytest.raises(WorkflowError, match="the Company has not consented in writing"):
        _ask(fin, deal_admin, [a, b], company=False)
    with pytest.raises(WorkflowError, match="attach the written instrument") as err:
        _ask(fin, deal_admin, [a, b], document=False)
    assert err.value.code == "instrument_missing" and not Approval.objects.exists()


def test_holdings_counted_on_the_instruments_date(split, deal_admin):
    """A holder whose Series J closed after the instrument's date holds nothing on it and cannot consent."""
    fin, a, b = split
    late = f.PreferredHoldingFactory(financing=fin, shares=5000, closing_date=datetime.date(2000, 7, 1)).investor
    with pytest.raises(WorkflowError, match="held nothing") as err:
        _ask(fin, deal_admin, [a, late])
    assert err.value.code == "consent_not_holder"
    approval = _ask(fin, deal_admin, [a])  # 670 of 1,000 on 06-30: the late holding does not count
    assert D(approval.consent_check["consenting_pct"]) == D(67)


def test_clerical_term_needs_no_consent(split, deal_admin):
    fin, _a, _b = split
    approval = terms_version_request(financing=fin, effective_from=EFFECTIVE, reason="fax check", maker=deal_admin,
                                     values=terms_values(fin, fax_date_max_business_days=8))
    assert approval.payload["contract_terms"] == [] and not approval.consents.exists() and not approval.document


def test_debenture_financing_needs_every_holder_spa_9i(db, deal_admin, checker):
    fin = f.FinancingFactory()
    d1 = f.DebentureFactory(financing=fin, principal=D("900000"), principal_outstanding=D("900000"))
    d2 = f.DebentureFactory(financing=fin)
    with pytest.raises(WorkflowError, match=r"SPA 9\(i\): consenting holders hold 90.00% .* 100% is required"):
        _ask(fin, deal_admin, [d1.investor], debenture_fixed_price=D("1.2500"))
    a = _ask(fin, deal_admin, [d1.investor, d2.investor], debenture_fixed_price=D("1.2500"))
    assert a.consent_check["clause"] == "SPA 9(i)"
    approval_approve(approval=a, checker=checker)
    assert DealTermsVersion.objects.get(financing=fin, version=2).debenture_fixed_price == D("1.2500")


def test_approval_rechecks_the_recorded_consents(split, deal_admin, checker):
    """The engine decides again at approval on the rows recorded: a consent row later found unsigned
    (corrected through history) stops the version."""
    fin, a, b = split
    approval = _ask(fin, deal_admin, [a])
    ApprovalConsent.objects.filter(approval=approval, investor=a).update(signed=False)
    with pytest.raises(WorkflowError, match="0.00%"):
        approval_approve(approval=approval, checker=checker)
    approval.refresh_from_db()
    assert approval.status == "pending" and not DealTermsVersion.objects.filter(financing=fin, version=2).exists()
