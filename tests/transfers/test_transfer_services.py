"""Transfers, exchanges, legend removals, Sales and transfer-agent instructions."""

import datetime
from decimal import Decimal

import pytest

from deals.models import (
    Debenture,
    DebentureRegisterEntry,
    LegendRemoval,
    Obligation,
    ObligationKind,
    PreferredHolding,
    RegistrationStatement,
    Transfer,
    Warrant,
)
from deals.selectors.closing import holders_of_record, maturity_record
from deals.services import transfers as svc
from deals.services.conversions import WorkflowError
from notices.models import Notice

from .conftest import on

D = datetime.date


def _t(deal, user, **kw):
    base = dict(
        source=deal["holding"], transferee=deal["off"], transfer_date=D(2000, 6, 1), notice_to_company_date=D(2000, 6, 1),
        amount=Decimal("100000"), assignee_non_us=True, assignee_accredited=False, counsel_opinion="Opinion of Smith LLP",
        rights_requested=True, written_assignment=True, transferee_bound=True, user=user,
    )  # fmt: skip
    base.update(kw)
    return svc.transfer_submit(**base)


def test_series_j_transfer_issues_new_certificate_and_reduces_the_old(deal, deal_admin):
    on(D(2000, 6, 1))
    t = _t(deal, deal_admin)
    h = PreferredHolding.objects.get(pk=deal["holding"].pk)
    assert h.liquidation_preference_outstanding == Decimal("500000")
    assert (t.new_preferred.certificate_number, t.new_preferred.shares, t.new_preferred.investor) == ("J-2", 100, deal["off"])
    assert t.new_preferred.closing_date == D(2000, 1, 21)  # restricted period and conversion rights run from the Closing
    assert t.rights_follow and "before the initial Effective Date" in t.rights_reason


@pytest.mark.parametrize(("day", "refused"), [(D(2001, 1, 19), True), (D(2001, 1, 20), True), (D(2001, 1, 21), False)])
def test_transfer_to_a_us_person_before_on_after_the_reg_s_period(deal, deal_admin, day, refused):
    on(day)
    if refused:
        with pytest.raises(WorkflowError, match="2001-01-20.*SPA 2\\(b\\)\\(iv\\)"):
            _t(
                deal,
                deal_admin,
                transferee=deal["us"],
                transfer_date=day,
                notice_to_company_date=day,
                assignee_non_us=False,
                assignee_accredited=True,
            )
        assert not Transfer.objects.exists()
        assert PreferredHolding.objects.get(pk=deal["holding"].pk).liquidation_preference_outstanding == Decimal("600000")
    else:
        _t(
            deal,
            deal_admin,
            transferee=deal["us"],
            transfer_date=day,
            notice_to_company_date=day,
            assignee_non_us=False,
            assignee_accredited=True,
        )


def test_transfer_below_rra9_minimum_with_rights_refused_after_effective_date(deal, deal_admin):
    RegistrationStatement.objects.create(financing=deal["fin"], filed_date=D(2000, 3, 1), effective_date=D(2000, 4, 15))
    on(D(2000, 6, 1))
    with pytest.raises(WorkflowError, match=r"RRA 9\(e\).*\$99,000.00"):
        _t(deal, deal_admin, amount=Decimal("99000"))
    assert not Transfer.objects.exists() and PreferredHolding.objects.count() == 1
    t = _t(deal, deal_admin, amount=Decimal("99000"), rights_requested=False)
    assert not t.rights_follow
    t2 = _t(deal, deal_admin, amount=Decimal("100000"))
    assert t2.rights_follow


def test_transfer_of_more_than_held_refused(deal, deal_admin):
    on(D(2000, 6, 1))
    with pytest.raises(WorkflowError, match=r"exceeds the \$600,000.00"):
        _t(deal, deal_admin, amount=Decimal("601000"))
    with pytest.raises(WorkflowError, match="exceeds the 60,000"):
        _t(deal, deal_admin, source=deal["warrant"], amount=None, warrant_shares=60_001)
    assert not Transfer.objects.exists()


def test_transfer_needs_assignee_representations_and_opinion(deal, deal_admin):
    on(D(2000, 6, 1))
    with pytest.raises(WorkflowError, match="SPA 2\\(b\\).*SPA 2\\(c\\)"):
        _t(deal, deal_admin, assignee_non_us=False, assignee_accredited=False)
    with pytest.raises(WorkflowError, match="SPA 4\\(a\\)\\(1\\)\\(B\\)"):
        _t(deal, deal_admin, counsel_opinion=" ")


def test_warrant_transfer_issues_new_warrant_same_price_and_expiry(deal, deal_admin):
    on(D(2000, 6, 1))
    t = _t(deal, deal_admin, source=deal["warrant"], amount=None, warrant_shares=10_000)
    w = Warrant.objects.get(pk=deal["warrant"].pk)
    assert w.shares_remaining == 50_000
    assert (t.new_warrant.number, t.new_warrant.shares, t.new_warrant.exercise_price, t.new_warrant.expiry_date) == (
        "W-2", 10_000, w.exercise_price, w.expiry_date,
    )  # fmt: skip


def test_debenture_transfer_in_100k_multiples_and_register_holder_of_record(deal, deal_admin):
    on(D(2000, 6, 1))
    with pytest.raises(WorkflowError, match="Debenture 1"):
        _t(deal, deal_admin, source=deal["deb"], amount=Decimal("150000"))
    assert not Transfer.objects.exists() and not DebentureRegisterEntry.objects.exists()
    t = _t(deal, deal_admin, source=deal["deb"], amount=Decimal("100000"))
    (new,) = t.new_debentures.all()
    assert (new.number, new.principal, new.investor) == ("D-2", Decimal("100000.00"), deal["off"])
    assert Debenture.objects.get(pk=deal["deb"].pk).principal_outstanding == Decimal("200000")
    before = {(ln.number, ln.holder.legal_name, ln.principal) for ln in holders_of_record(deal["deb_fin"], D(2000, 5, 31))}
    after = {(ln.number, ln.holder.legal_name, ln.principal) for ln in holders_of_record(deal["deb_fin"], D(2000, 6, 1))}
    assert before == {("D-1", "Alpha Fund Ltd.", Decimal("300000.00"))}
    assert after == {("D-1", "Alpha Fund Ltd.", Decimal("200000.00")), ("D-2", "Gamma Offshore Ltd.", Decimal("100000.00"))}
    maturity, record, holders = maturity_record(deal["deb_fin"])
    assert (maturity, record) == (D(2001, 3, 31), D(2001, 3, 21))
    assert len(holders) == 2


def test_exchange_of_denominations(deal, deal_admin):
    on(D(2000, 6, 1))
    with pytest.raises(WorkflowError, match="equal aggregate"):
        svc.debenture_exchange(debenture=deal["deb"], denominations=[Decimal("100000")] * 2, exchange_date=D(2000, 6, 1), user=deal_admin)
    t = svc.debenture_exchange(debenture=deal["deb"], denominations=[Decimal("100000")] * 3, exchange_date=D(2000, 6, 1), user=deal_admin)
    assert sorted(d.number for d in t.new_debentures.all()) == ["D-2", "D-3", "D-4"]
    old = Debenture.objects.get(pk=deal["deb"].pk)
    assert (old.status, old.principal_outstanding) == ("transferred", Decimal("0"))
    assert {ln.number for ln in holders_of_record(deal["deb_fin"], D(2000, 6, 1))} == {"D-2", "D-3", "D-4"}


@pytest.mark.parametrize(("day", "refused"), [(D(2001, 1, 19), True), (D(2001, 1, 20), True), (D(2001, 1, 21), False)])
def test_legend_removal_before_on_after_the_reg_s_period(deal, deal_admin, day, refused):
    on(day)
    kw = dict(
        financing=deal["fin"], investor=deal["a"], security="common", certificate="C-101", quantity=Decimal("50000"),
        basis="rule_144k", counsel="Smith LLP", opinion_date=day, opinion_received=day, user=deal_admin,
    )  # fmt: skip
    if refused:
        with pytest.raises(WorkflowError, match="2001-01-20"):
            svc.legend_removal_request(**kw)
        assert not LegendRemoval.objects.exists() and not Obligation.objects.exists()
        return
    r = svc.legend_removal_request(**kw)
    assert r.due_date == D(2001, 1, 24)  # Sun 21st received: Mon 22, Tue 23, Wed 24
    row = Obligation.objects.get(kind=ObligationKind.LEGEND_REMOVAL)
    assert row.due_date == r.due_date and row.clause == "SPA 4(b), 5(a)"
    assert Notice.objects.filter(kind="legend_removal", object_id=r.pk).exists()
    svc.legend_removal_instructed(removal=r, instructed_on=day, user=deal_admin)
    row.refresh_from_db()
    assert row.status == "satisfied"


def test_legend_removal_on_registered_sale_needs_an_effective_statement(deal, deal_admin):
    on(D(2001, 2, 1))
    with pytest.raises(WorkflowError, match="SPA 4\\(b\\)\\(i\\)"):
        svc.legend_removal_request(
            financing=deal["fin"], investor=deal["a"], security="common", certificate="C-1", quantity=Decimal("1"),
            basis="registered_sale", counsel="Smith LLP", opinion_date=D(2001, 2, 1), opinion_received=D(2001, 2, 1), user=deal_admin,
        )  # fmt: skip


@pytest.mark.parametrize(("received", "by"), [(D(2000, 2, 1), D(2000, 2, 16))])
def test_sale_event_writes_each_holders_conversion_window(deal, deal_admin, received, by):
    on(D(2000, 2, 2))
    sale = svc.sale_event_record(
        financing=deal["deb_fin"], kind="merger", counterparty="Acquirer Inc.", description="", notice_date=D(2000, 1, 31),
        notice_received=received, user=deal_admin,
    )  # fmt: skip
    row = Obligation.objects.get(kind=ObligationKind.SALE_CONVERSION_WINDOW)
    assert (sale.convert_by, row.due_date, row.period_key, row.investor) == (by, by, "D-1", deal["a"])
    with pytest.raises(WorkflowError, match="debentures"):
        svc.sale_event_record(
            financing=deal["fin"], kind="merger", counterparty="X", description="", notice_date=D(2000, 1, 31),
            notice_received=D(2000, 2, 1), user=deal_admin,
        )  # fmt: skip


def test_ta_instruction_legended_before_effective_refuses_dwac_then_plain(deal, deal_admin):
    from tests.company.conftest import make_conversion

    conv = make_conversion(deal["holding"], D(2000, 5, 1), Decimal("100000"), 80_000, status="pending_delivery")
    on(D(2000, 5, 2))
    with pytest.raises(WorkflowError, match="SPA 5\\(e\\)"):
        svc.ta_instruction_create(
            record=conv,
            dwac=True,
            registered_name="Alpha Fund Ltd.",
            denominations="",
            instruction_date=D(2000, 5, 2),
            fast_participant=True,
            user=deal_admin,
        )
    ins = svc.ta_instruction_create(
        record=conv,
        dwac=False,
        registered_name="Alpha Fund Ltd.",
        denominations="",
        instruction_date=D(2000, 5, 2),
        fast_participant=True,
        user=deal_admin,
    )
    assert ins.legended and ins.shares == conv.shares_issuable
    assert Notice.objects.filter(kind="ta_instruction", object_id=ins.pk).exists()


def test_ta_instruction_dwac_after_effective_date(deal, deal_admin):
    from tests.company.conftest import make_conversion

    RegistrationStatement.objects.create(financing=deal["fin"], filed_date=D(2000, 3, 1), effective_date=D(2000, 4, 15))
    conv = make_conversion(deal["holding"], D(2000, 5, 1), Decimal("100000"), 80_000, status="pending_delivery")
    on(D(2000, 5, 2))
    ins = svc.ta_instruction_create(
        record=conv,
        dwac=True,
        registered_name="Alpha Fund Ltd.",
        denominations="",
        instruction_date=D(2000, 5, 2),
        fast_participant=True,
        user=deal_admin,
    )
    assert ins.dwac and not ins.legended and ins.dtc_participant == "0352"


def test_every_balance_change_leaves_history(deal, deal_admin):
    on(D(2000, 6, 1))
    _t(deal, deal_admin, source=deal["deb"], amount=Decimal("100000"))
    deb = Debenture.objects.get(pk=deal["deb"].pk)
    assert [h.principal_outstanding for h in deb.history.order_by("history_date")] == [Decimal("300000.00"), Decimal("200000.00")]
    closed = DebentureRegisterEntry.objects.get(debenture=deb, reason="issue")
    assert closed.cancelled_on == D(2000, 6, 1) and closed.history.count() == 2
