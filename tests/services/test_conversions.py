"""conversion_quote / conversion_submit and the after-submission steps (Debenture 4(A),
Exhibit A; SPA 4(i), 5(c), 5(d), 5(f))."""

import datetime
import uuid
from decimal import Decimal

import pytest

from deals.models import (
    BusinessDate,
    Conversion,
    ConversionStatus,
    InstrumentStatus,
    Issuer,
    MarketPrice,
    Obligation,
    ObligationKind,
    ObligationStatus,
)
from deals.services import conversions as svc
from deals.services.conversions import WorkflowError
from tests import factories as f

D = Decimal
# Closing 2000-01-14: half convertible from 2000-04-13 (90 days), all from 2000-05-13 (120 days).
CONV_DATE = datetime.date(2000, 6, 1)


def set_business_date(day: datetime.date) -> None:
    BusinessDate.objects.update_or_create(pk=1, defaults={"business_date": day})


START = datetime.date(1999, 12, 1)
BID = D("1.5000")


def make_world(*, bid=BID, today=CONV_DATE, start=START, end=None):
    """Terms v1 of each financing, flat closing bids from ``start`` to ``end`` (default: business date), a $100,000
    debenture and a 400-share Series J holding. Returns a namespace."""
    set_business_date(today)
    f.price_series(start, end or today, bid=bid)
    deb = f.DebentureFactory()
    pref = f.PreferredHoldingFactory()
    return type("World", (), {"debenture": deb, "preferred": pref, "issuer": Issuer.objects.get()})


def submit(instrument, amount, user, *, day=CONV_DATE, method="facsimile", key=None, election="cash", received=None):
    return svc.conversion_submit(
        instrument=instrument,
        amount=D(amount),
        conversion_date=day,
        notice_method=method,
        notice_received_date=received or day,
        interest_election=election,
        reference="ref",
        idempotency_key=key or uuid.uuid4().hex,
        user=user,
    )


# --- quotes: worked examples ---------------------------------------------------------------


def test_debenture_quote_uses_80pct_of_five_day_average_when_below_fixed(db):
    w = make_world(bid=D("1.5000"))
    q = svc.conversion_quote(instrument=w.debenture, amount=D("20000"), conversion_date=CONV_DATE)
    # 80% x $1.50 = $1.20 < $1.4375 (Debenture 4(A)); 20,000 / 1.20 = 16,666.67 -> 16,667 shares
    assert q.applied_price == D("1.2000")
    assert q.price_basis.value == "market"
    assert q.shares == 16667
    assert len(q.market_price.window) == 5
    # 6% from 2000-01-18 (first business day after the 14th; the 17th is a holiday) to 2000-06-01: 135 days
    assert q.accrual.days == 135
    assert q.accrual.amount == D("443.84")
    # delivered 3 business days after 2000-06-01 (Thursday) -> Tuesday 2000-06-06; original by the 5th: 06-08
    assert q.delivery_date == datetime.date(2000, 6, 6)
    assert q.original_notice_due == datetime.date(2000, 6, 8)


def test_debenture_quote_uses_fixed_price_when_market_is_higher(db):
    w = make_world(bid=D("2.0000"))
    q = svc.conversion_quote(instrument=w.debenture, amount=D("100000"), conversion_date=CONV_DATE)
    assert q.applied_price == D("1.4375")
    assert q.price_basis.value == "fixed"
    assert q.shares == 69565  # 100,000 / 1.4375 = 69,565.2 -> nearest


def test_series_j_quote_averages_three_lowest_of_twenty(db):
    w = make_world(bid=D("2.0000"))
    MarketPrice.objects.filter(date=datetime.date(2000, 5, 15)).update(closing_bid=D("1.0000"))
    q = svc.conversion_quote(instrument=w.preferred, amount=D("10000"), conversion_date=CONV_DATE)
    assert len(q.market_price.window) == 20
    assert sum(1 for p in q.market_price.window if p.used) == 3
    # (1.00 + 2.00 + 2.00) / 3 = 1.666...; 80% = 1.333... < 1.4375, kept exact (Debenture 4(A) /
    # Series J: only shares are rounded), shown as 1.3333; 10,000 / 1.333... = 7,500 shares
    assert q.applied_price == D("0.8") * (D(5) / 3)
    assert q.price.shown_price == D("1.3333") and q.shares == 7500


# --- quotes: bad input -----------------------------------------------------------------------


def test_amount_above_outstanding_names_both_numbers(db):
    w = make_world()
    with pytest.raises(WorkflowError) as e:
        svc.conversion_quote(instrument=w.debenture, amount=D("150000"), conversion_date=CONV_DATE)
    assert e.value.code == "exceeds_outstanding"
    assert "$150,000.00" in str(e.value) and "$100,000.00" in str(e.value)


@pytest.mark.parametrize("amount", ["0", "-5"])
def test_amount_not_positive_is_refused(db, amount):
    w = make_world()
    with pytest.raises(WorkflowError, match="more than \\$0.00"):
        svc.conversion_quote(instrument=w.debenture, amount=D(amount), conversion_date=CONV_DATE)


def test_before_second_tranche_says_when_it_becomes_eligible(db):
    w = make_world(today=datetime.date(2000, 4, 20))
    with pytest.raises(WorkflowError) as e:
        svc.conversion_quote(instrument=w.debenture, amount=D("80000"), conversion_date=datetime.date(2000, 4, 20))
    assert e.value.code == "not_eligible"
    assert "$50,000.00" in str(e.value)
    assert "2000-05-13" in str(e.value)


def test_eligibility_opens_exactly_on_day_90(db):
    w = make_world(today=datetime.date(2000, 4, 13))
    q = svc.conversion_quote(instrument=w.debenture, amount=D("50000"), conversion_date=datetime.date(2000, 4, 13))
    assert q.eligibility.convertible_now == D("50000.00")


def test_missing_prices_lists_every_day(db):
    w = make_world()
    MarketPrice.objects.filter(date__in=[datetime.date(2000, 5, 26), datetime.date(2000, 5, 30)]).delete()
    with pytest.raises(WorkflowError) as e:
        svc.conversion_quote(instrument=w.debenture, amount=D("1000"), conversion_date=CONV_DATE)
    assert e.value.code == "missing_prices"
    assert e.value.missing_dates == (datetime.date(2000, 5, 26), datetime.date(2000, 5, 30))
    assert "2000-05-26" in str(e.value) and "2000-05-30" in str(e.value)


def test_date_after_business_date_is_refused(db):
    w = make_world()
    with pytest.raises(WorkflowError, match="after the business date 2000-06-01"):
        svc.conversion_quote(instrument=w.debenture, amount=D("1000"), conversion_date=datetime.date(2000, 6, 2))


@pytest.mark.parametrize("status", [InstrumentStatus.REDEEMED, InstrumentStatus.MATURED])
def test_closed_instrument_is_refused(db, status):
    w = make_world()
    w.debenture.status = status
    w.debenture.save()
    with pytest.raises(WorkflowError) as e:
        svc.conversion_quote(instrument=w.debenture, amount=D("1000"), conversion_date=CONV_DATE)
    assert e.value.code == "instrument_closed"
    assert w.debenture.get_status_display().lower() in str(e.value)


def test_series_j_amount_must_be_whole_preferred_shares(db):
    w = make_world()
    with pytest.raises(WorkflowError, match="multiple of \\$1,000.00"):
        svc.conversion_quote(instrument=w.preferred, amount=D("1500"), conversion_date=CONV_DATE)


def test_original_delivery_makes_the_delivery_date_the_conversion_date(db):
    w = make_world()
    with pytest.raises(WorkflowError, match="enter 2000-06-01 as the Date of Conversion"):
        svc.conversion_quote(
            instrument=w.debenture,
            amount=D("1000"),
            conversion_date=datetime.date(2000, 5, 31),
            notice_method="original",
            notice_received_date=CONV_DATE,
        )


# --- submit ----------------------------------------------------------------------------------


def test_submit_writes_snapshot_reduces_outstanding_and_opens_obligations(db, clerk):
    w = make_world()
    before = w.issuer.shares_issued
    conv = submit(w.debenture, "20000", clerk)
    assert conv.replayed is False
    w.debenture.refresh_from_db()
    assert w.debenture.principal_outstanding == D("80000.00")
    assert conv.shares_issuable == 16667
    assert D(conv.snapshot["applied_price"]) == D("1.2") and conv.snapshot["shown_price"] == "1.2000"
    assert conv.snapshot["applied"]["amount_converted"] == "20000.00"
    assert conv.terms_version.version == conv.snapshot["terms_version"]
    w.issuer.refresh_from_db()
    assert w.issuer.shares_issued == before + 16667
    kinds = set(Obligation.objects.values_list("kind", flat=True))
    # the interest elected in cash is owed on the Delivery Date; the Debenture's maturity row is
    # refreshed at once on the principal left (issue 11, no stale figures)
    assert kinds == {
        ObligationKind.SHARE_DELIVERY, ObligationKind.ORIGINAL_NOTICE, ObligationKind.CONVERSION_CASH, ObligationKind.MATURITY,
    }
    assert conv.original_due_date == datetime.date(2000, 6, 8)


def test_resubmitting_the_same_key_creates_nothing(db, clerk):
    w = make_world()
    first = submit(w.debenture, "20000", clerk, key="k-1")
    again = submit(w.debenture, "20000", clerk, key="k-1")
    assert again.pk == first.pk and again.replayed is True
    assert Conversion.objects.count() == 1
    w.debenture.refresh_from_db()
    assert w.debenture.principal_outstanding == D("80000.00")


def test_full_conversion_marks_instrument_converted(db, clerk):
    w = make_world()
    submit(w.debenture, "100000", clerk)
    w.debenture.refresh_from_db()
    assert w.debenture.status == InstrumentStatus.CONVERTED
    with pytest.raises(WorkflowError, match="fully converted") as e:
        submit(w.debenture, "1", clerk)
    assert e.value.code == "exceeds_outstanding" and "$1.00" in str(e.value) and "$0.00" in str(e.value)


def test_bad_submit_writes_nothing(db, clerk):
    w = make_world()
    with pytest.raises(WorkflowError):
        submit(w.debenture, "100001", clerk)
    assert Conversion.objects.count() == 0 and Obligation.objects.count() == 0


def test_original_method_needs_no_original_obligation(db, clerk):
    w = make_world()
    conv = submit(w.debenture, "1000", clerk, method="original")
    assert conv.original_due_date is None and conv.original_received_date == CONV_DATE
    assert not Obligation.objects.filter(kind=ObligationKind.ORIGINAL_NOTICE).exists()


def test_cap_leaves_unconverted_series_j_shares(db, clerk):
    w = make_world(bid=D("0.0500"))
    # 80% x 0.05 = $0.04: 400 preferred shares -> 10,000,000 common, far above the 1,572,000 cap
    conv = submit(w.preferred, "400000", clerk)
    assert conv.unconverted_shares > 0
    assert conv.shares_issuable <= 1_572_000
    w.preferred.refresh_from_db()
    converted_pref = 400 - conv.unconverted_shares
    assert w.preferred.liquidation_preference_outstanding == D(conv.unconverted_shares * 1000)
    assert D(conv.snapshot["applied"]["amount_converted"]) == D(1000) * converted_pref


# --- after submission ------------------------------------------------------------------------


def test_delivery_closes_the_delivery_obligation(db, clerk):
    w = make_world()
    conv = submit(w.debenture, "1000", clerk)
    svc.delivery_record(conversion=conv, delivered_date=CONV_DATE, reference="Cert 101", user=clerk)
    conv.refresh_from_db()
    assert conv.status == ConversionStatus.DELIVERED
    ob = Obligation.objects.get(kind=ObligationKind.SHARE_DELIVERY)
    assert ob.status == ObligationStatus.SATISFIED


def test_late_series_j_delivery_records_spa_5c_late_payment(db, clerk):
    w = make_world(end=datetime.date(2000, 6, 30))
    conv = submit(w.preferred, "10000", clerk)
    # Delivery Date 2000-06-06; grace to 2000-06-09; delivered 2000-06-13 = 2 business days late
    set_business_date(datetime.date(2000, 6, 13))
    svc.delivery_record(conversion=conv, delivered_date=datetime.date(2000, 6, 13), reference="DWAC 9", user=clerk)
    late = Obligation.objects.get(kind=ObligationKind.LATE_PAYMENT)
    assert late.amount == D("200.00")  # $100 x 2 days x one $10,000 unit


def test_late_payment_base_counts_dividends_taken_in_shares(db, clerk):
    # SPA 5(c): "for each $10,000 of Liquidation Preference or Dividend Amount being converted"
    w = make_world(end=datetime.date(2000, 6, 30))
    conv = submit(w.preferred, "10000", clerk, election="shares")
    assert conv.interest_amount > 0
    assert conv.late_payment_base == D("10000") + conv.interest_amount
    set_business_date(datetime.date(2000, 6, 13))
    svc.delivery_record(conversion=conv, delivered_date=datetime.date(2000, 6, 13), reference="DWAC 9", user=clerk)
    late = Obligation.objects.get(kind=ObligationKind.LATE_PAYMENT)
    # 2 business days late: $200 per $10,000 of the amount being converted
    assert late.amount == (conv.late_payment_base * 200 / 10000).quantize(D("0.01"))
    assert late.amount > D("200.00")


def test_revocation_opens_after_three_business_days_past_delivery_date(db, clerk):
    w = make_world(end=datetime.date(2000, 6, 30))
    conv = submit(w.preferred, "10000", clerk)
    # Delivery Date 2000-06-06 (Tue); window to 2000-06-09 (Fri); opens Saturday 2000-06-10
    set_business_date(datetime.date(2000, 6, 9))
    with pytest.raises(WorkflowError, match="only from 2000-06-10"):
        svc.conversion_revoke(conversion=conv, revoked_date=datetime.date(2000, 6, 9), user=clerk)
    set_business_date(datetime.date(2000, 6, 12))
    svc.conversion_revoke(conversion=conv, revoked_date=datetime.date(2000, 6, 12), user=clerk)
    conv.refresh_from_db()
    w.preferred.refresh_from_db()
    w.issuer.refresh_from_db()
    assert conv.status == ConversionStatus.REVOKED
    assert w.preferred.liquidation_preference_outstanding == D("400000")
    assert w.issuer.shares_issued == 7_860_000


def test_debenture_conversion_cannot_be_revoked(db, clerk):
    w = make_world()
    conv = submit(w.debenture, "1000", clerk)
    with pytest.raises(WorkflowError, match="Series J"):
        svc.conversion_revoke(conversion=conv, revoked_date=CONV_DATE, user=clerk)


def test_buy_in_amount_follows_the_spa_5d_example(db, clerk):
    w = make_world(end=datetime.date(2000, 6, 30))
    conv = submit(w.preferred, "10000", clerk)
    set_business_date(datetime.date(2000, 6, 8))
    buy_in = svc.buy_in_record(
        conversion=conv, buy_in_date=datetime.date(2000, 6, 7), covering_cost=D("11000"), sold_proceeds=D("10000"), user=clerk
    )
    assert buy_in.adjustment_amount == D("1000.00")
    assert Obligation.objects.get(kind=ObligationKind.BUY_IN).amount == D("1000.00")


def test_buy_in_on_the_delivery_date_is_refused(db, clerk):
    w = make_world(end=datetime.date(2000, 6, 30))
    conv = submit(w.preferred, "10000", clerk)
    set_business_date(datetime.date(2000, 6, 8))
    with pytest.raises(WorkflowError, match="not after the Delivery Date"):
        svc.buy_in_record(
            conversion=conv, buy_in_date=datetime.date(2000, 6, 6), covering_cost=D("11000"), sold_proceeds=D("10000"), user=clerk
        )


def test_dishonour_restores_and_owes_145pct_in_five_business_days(db, deal_admin):
    w = make_world(end=datetime.date(2000, 6, 30))
    conv = submit(w.preferred, "10000", deal_admin)
    set_business_date(datetime.date(2000, 6, 5))
    svc.conversion_dishonour(conversion=conv, notice_date=datetime.date(2000, 6, 5), user=deal_admin)
    conv.refresh_from_db()
    w.preferred.refresh_from_db()
    assert conv.status == ConversionStatus.DISHONOURED
    assert w.preferred.liquidation_preference_outstanding == D("400000")
    ob = Obligation.objects.get(kind=ObligationKind.MANDATORY_PURCHASE)
    assert ob.due_date == datetime.date(2000, 6, 12)  # 5 business days after Monday 2000-06-05
    assert ob.amount > D("580000")  # 145% x $400,000 = $580,000 + dividends
    assert Obligation.objects.get(kind=ObligationKind.SHARE_DELIVERY).status == ObligationStatus.VOID


def test_original_received_late_warns_and_closes_obligation(db, clerk):
    w = make_world(end=datetime.date(2000, 6, 30))
    conv = submit(w.debenture, "1000", clerk)
    set_business_date(datetime.date(2000, 6, 12))
    res = svc.original_notice_receive(conversion=conv, received_date=datetime.date(2000, 6, 12), user=clerk)
    assert res.late is True
    assert any("2000-06-08" in m for m in res.warnings)
    assert Obligation.objects.get(kind=ObligationKind.ORIGINAL_NOTICE).status == ObligationStatus.SATISFIED


def test_cap_remedy_y_records_redemption_obligation(db, deal_admin):
    w = make_world(bid=D("0.0500"), end=datetime.date(2000, 7, 31))
    conv = submit(w.preferred, "400000", deal_admin)
    n = conv.unconverted_shares
    set_business_date(datetime.date(2000, 6, 15))
    row = svc.cap_remedy_choose(conversion=conv, remedy="y", shares=n, chosen_date=datetime.date(2000, 6, 15), user=deal_admin)
    assert row.amount > 0
    assert row.due_date == datetime.date(2000, 7, 15)  # 30 days (SPA 4(i))
    assert svc.unconverted_remaining(conv) == 0
    with pytest.raises(WorkflowError, match="no Unconverted Shares left"):
        svc.cap_remedy_choose(conversion=conv, remedy="y", shares=1, chosen_date=datetime.date(2000, 6, 15), user=deal_admin)


def test_cap_remedy_x_only_within_the_cap_room(db, deal_admin):
    w = make_world(bid=D("0.0500"), end=datetime.date(2000, 7, 31))
    conv = submit(w.preferred, "400000", deal_admin)
    set_business_date(datetime.date(2000, 6, 15))
    # 62 preferred converted at $0.04 = 1,550,000 shares: 22,000 of the 1,572,000 cap remain.
    # Remedy (x) at the $0.1125 closing price: 3 x ~$1,012 / 0.1125 = ~27,000 shares -> over the cap
    with pytest.raises(WorkflowError, match="only if the Cap Regulations permit"):
        svc.cap_remedy_choose(conversion=conv, remedy="x", shares=3, chosen_date=datetime.date(2000, 6, 15), user=deal_admin)
    # one share (~9,000 shares) fits: converted, delivery owed
    row = svc.cap_remedy_choose(conversion=conv, remedy="x", shares=1, chosen_date=datetime.date(2000, 6, 15), user=deal_admin)
    assert 8_000 < row.snapshot["shares"] < 10_000
    assert svc.unconverted_remaining(conv) == conv.unconverted_shares - 1
