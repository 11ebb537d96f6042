"""Rules 2, 6-10: original notice, first refusal, warrants, debentures,
Events of Default, cap remedies and the Mandatory Purchase Amount."""

import datetime
from decimal import Decimal

import pytest

from deals import models as m
from deals.selectors.ledger import obligation_amount_on
from tests import factories as f

from .conftest import ledger, make_conversion, run

D = Decimal
K = m.ObligationKind
pytestmark = pytest.mark.django_db


# --- rule 2: Debenture Exhibit A ------------------------------------------------------------


def test_original_notice_due_fifth_business_day_then_flagged_late(staff_user, terms_version):
    # Date of Conversion Monday 2000-04-17 -> 5th business day (Good Friday counts) = 04-24
    c = make_conversion(user=staff_user, terms_version=terms_version, debenture=f.DebentureFactory(),
                        conversion_date=datetime.date(2000, 4, 17), delivery_date=datetime.date(2000, 4, 20))
    run("original_notice", datetime.date(2000, 4, 24))
    (row,) = ledger(c, K.ORIGINAL_NOTICE)
    assert row.due_date == datetime.date(2000, 4, 24) and row.details["late"] is False
    run("original_notice", datetime.date(2000, 4, 25))
    row.refresh_from_db()
    assert row.status == "open" and row.details["late"] is True
    c.original_received_date = datetime.date(2000, 4, 26)
    c.save()
    run("original_notice", datetime.date(2000, 4, 26))
    row.refresh_from_db()
    assert (row.status, row.satisfied_date) == ("satisfied", datetime.date(2000, 4, 26))


def test_original_notice_quiet_days_read_nothing(staff_user, terms_version):
    """Issue 17: only what can change that day is read -- the day the row appears, the day after the
    due date (flagged late), a change to the conversion; every other day the rule computes 0 rows."""
    c = make_conversion(user=staff_user, terms_version=terms_version, debenture=f.DebentureFactory(),
                        conversion_date=datetime.date(2000, 4, 17), delivery_date=datetime.date(2000, 4, 20))
    assert run("original_notice", datetime.date(2000, 4, 20)).rows == 1  # the row appears
    assert run("original_notice", datetime.date(2000, 4, 21)).rows == 0  # quiet: due 04-24, not late yet
    assert run("original_notice", datetime.date(2000, 4, 24)).rows == 0  # on the due date: not late
    stats = run("original_notice", datetime.date(2000, 4, 25))  # the day after: flagged late
    assert (stats.rows, stats.updated) == (1, 1)
    assert run("original_notice", datetime.date(2000, 4, 26)).rows == 0  # quiet again
    # the business date moved back (a correction): the flag follows the day asked
    stats = run("original_notice", datetime.date(2000, 4, 24))
    assert (stats.rows, stats.updated) == (1, 1)
    assert ledger(c, K.ORIGINAL_NOTICE)[0].details["late"] is False
    run("original_notice", datetime.date(2000, 4, 27))
    c.original_received_date = datetime.date(2000, 4, 27)  # a change to the conversion is read the same day
    c.save()
    stats = run("original_notice", datetime.date(2000, 4, 27))
    assert (stats.rows, stats.updated) == (1, 1)
    assert run("original_notice", datetime.date(2000, 4, 28)).rows == 0  # closed: nothing to read


def test_original_notice_of_a_delivered_conversion_is_not_read_again(staff_user, terms_version):
    """Issue 17, (c): the shares are delivered but the original Debenture and notice are still out.
    Delivery changes the conversion, not its original-notice row (late, open, the due date the
    conversion stores): the sweep does not read it again every day. Receiving the original, or a
    row whose due date no longer matches the conversion's, is read the same day."""
    from deals.services.conversions import delivery_record

    c = make_conversion(user=staff_user, terms_version=terms_version, debenture=f.DebentureFactory(),
                        conversion_date=datetime.date(2000, 4, 17), delivery_date=datetime.date(2000, 4, 20),
                        original_due_date=datetime.date(2000, 4, 24))
    assert run("original_notice", datetime.date(2000, 4, 25)).rows == 1  # appears, late
    delivery_record(conversion=c, delivered_date=datetime.date(2000, 4, 25), reference="DTC", user=staff_user)
    for day in (datetime.date(2000, 4, 26), datetime.date(2000, 5, 1), datetime.date(2000, 9, 1)):
        stats = run("original_notice", day)
        assert (stats.read, stats.changed) == (0, 0), day
    (row,) = ledger(c, K.ORIGINAL_NOTICE)
    assert row.status == "open" and row.details["late"] is True
    c.refresh_from_db()
    c.original_due_date = datetime.date(2000, 4, 26)  # a corrected due date is read
    c.save()
    assert run("original_notice", datetime.date(2000, 9, 2)).read == 1
    c.original_received_date = datetime.date(2000, 9, 4)
    c.save()
    stats = run("original_notice", datetime.date(2000, 9, 4))
    assert (stats.read, stats.updated) == (1, 1)
    assert ledger(c, K.ORIGINAL_NOTICE)[0].status == "satisfied"
    assert run("original_notice", datetime.date(2000, 9, 5)).read == 0


# --- rule 6: SPA 4(j) -----------------------------------------------------------------------


def test_rofr_answer_and_consummation_window(staff_user, terms_version):
    fin = f.SeriesJFinancingFactory()
    investor = f.InvestorFactory()
    offer = m.NewTransactionOffer.objects.create(financing=fin, description="New money", amount=D("500000"),
                                                 sent_date=datetime.date(2000, 4, 18), created_by=staff_user)
    # received Tuesday 04-18: 3rd business day = Friday 04-21 (Good Friday; banks open)
    resp = m.OfferResponse.objects.create(offer=offer, investor=investor, received_date=datetime.date(2000, 4, 18),
                                          answer_due=datetime.date(2000, 4, 21))
    run("rofr", datetime.date(2000, 4, 21))
    (answer,) = ledger(resp, K.ROFR_ANSWER)
    assert answer.status == "open" and answer.due_date == datetime.date(2000, 4, 21)
    (window,) = ledger(offer, K.ROFR_CONSUMMATION)
    assert window.due_date == datetime.date(2000, 5, 11)  # 20 days after the expiration date
    run("rofr", datetime.date(2000, 4, 24))
    answer.refresh_from_db()
    assert answer.status == "void"  # not exercised in time
    run("rofr", datetime.date(2000, 5, 12))
    window.refresh_from_db()
    assert window.status == "void"


def test_rofr_period_ends_240_days_after_effectiveness(terms_version):
    fin = f.SeriesJFinancingFactory(initial_closing_date=datetime.date(2000, 3, 7))
    m.RegistrationStatement.objects.create(financing=fin, filed_date=datetime.date(2000, 3, 20),
                                           effective_date=datetime.date(2000, 6, 1))
    run("rofr", datetime.date(2000, 6, 2))
    (end,) = ledger(fin, K.ROFR_PERIOD_END)
    assert end.due_date == datetime.date(2001, 1, 27)


# --- rule 7: warrants -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "warning", "status"),
    [
        (datetime.date(2004, 12, 31), None, "open"),  # 31 days before
        (datetime.date(2005, 1, 1), "30 days", "open"),
        (datetime.date(2005, 1, 24), "7 days", "open"),
        (datetime.date(2005, 1, 31), "7 days", "open"),  # exercisable through the expiry day
        (datetime.date(2005, 2, 1), None, "satisfied"),
    ],
)
def test_warrant_expiry_warnings_and_expiry(as_of, warning, status):
    w = f.WarrantFactory(expiry_date=datetime.date(2005, 1, 31))
    run("warrants", as_of)
    (row,) = ledger(w, K.WARRANT_EXPIRY)
    assert (row.details["warning"], row.status) == (warning, status)
    w.refresh_from_db()
    assert w.status == ("expired" if status == "satisfied" else "outstanding")


def test_warrant_rows_are_read_only_on_the_days_they_change():
    """Issue 17, (c): a Warrant's row moves on the day its 30-day and 7-day warnings start and the
    day after its expiry (SPA 4(h)); every other day the sweep reads no Warrant. Run day by day."""
    w = f.WarrantFactory(expiry_date=datetime.date(2005, 1, 31))
    read = {}
    day = datetime.date(2004, 12, 29)
    while day <= datetime.date(2005, 2, 3):
        read[day] = run("warrants", day).read
        day += datetime.timedelta(days=1)
    assert {d for d, n in read.items() if n} == {
        datetime.date(2004, 12, 29),  # the first sweep: no row yet
        datetime.date(2005, 1, 1),  # 30 days before: the warning starts
        datetime.date(2005, 1, 24),  # 7 days before
        datetime.date(2005, 2, 1),  # expired
    }
    (row,) = ledger(w, K.WARRANT_EXPIRY)
    assert row.status == "satisfied"


# --- rule 8: debentures ---------------------------------------------------------------------


def test_maturity_amount_includes_interest_and_keeps_accruing(terms_version):
    deb = f.DebentureFactory(issue_date=datetime.date(1999, 11, 22), closing_date=datetime.date(1999, 11, 22),
                             maturity_date=datetime.date(2000, 3, 31))
    run("debentures", datetime.date(2000, 3, 31))
    (row,) = ledger(deb, K.MATURITY)
    at_maturity = row.amount
    assert row.status == "open" and at_maturity > D("100000")
    assert obligation_amount_on(row, datetime.date(2000, 3, 31)) == at_maturity
    stats = run("debentures", datetime.date(2000, 4, 10))
    row.refresh_from_db()
    assert stats.updated == 0 and row.amount == at_maturity  # the sweep writes state changes only
    # interest accrues until payment in full: 10 more days of 6% on $100,000 (actual/365)
    assert obligation_amount_on(row, datetime.date(2000, 4, 10)) == at_maturity + D("164.38")


def test_maturity_rows_are_read_only_when_something_moved_them(terms_version):
    """Issue 17, (c): the maturity row does not depend on the day, so a quiet day reads no
    Debenture; one edited since its row was written is read again, and so is every one after a new
    terms version (it may govern the Maturity Date)."""
    import time

    first_deb = f.DebentureFactory(maturity_date=datetime.date(2001, 3, 31))
    debs = [first_deb] + [f.DebentureFactory(financing=first_deb.financing, maturity_date=datetime.date(2001, 3, 31))
                          for _ in range(2)]
    first = run("debentures", datetime.date(2000, 4, 3))
    assert first.read == 3 and first.created == 3
    assert run("debentures", datetime.date(2000, 4, 4)).read == 0
    time.sleep(0.01)
    debs[1].interest_paid_through = datetime.date(2000, 3, 31)  # a correction saved in the admin
    debs[1].save()
    stats = run("debentures", datetime.date(2000, 4, 5))
    assert (stats.read, stats.updated) == (1, 1)
    assert ledger(debs[1], K.MATURITY)[0].details["accrual"]["paid_through"] == "2000-03-31"
    assert run("debentures", datetime.date(2000, 4, 6)).read == 0
    time.sleep(0.01)
    f.DealTermsVersionFactory(financing=first_deb.financing, effective_from=datetime.date(2000, 4, 6))
    assert run("debentures", datetime.date(2000, 4, 7)).read == 3


def _redemption(staff_user, terms_version, deb, notice):
    from deals.terms.params import NHTC_DEFAULTS
    from deals.terms.redemption import redemption_due_date

    return m.Redemption.objects.create(
        debenture=deb, terms_version=deb.financing.terms_versions.get(), notice_date=notice, notice_received_date=notice,
        principal=D("100000"), premium_amount=D("120000"), interest_amount=D("1000"), total_amount=D("121000"),
        payment_due_date=redemption_due_date(notice, NHTC_DEFAULTS), convert_until=datetime.date(2000, 4, 24),
        snapshot={}, idempotency_key=f"r-{notice}", created_by=staff_user,
    )


def test_unpaid_redemption_is_void_the_day_after_its_due_date(staff_user, terms_version):
    deb = f.DebentureFactory()
    # notice Monday 2000-04-17: 10 business days (Good Friday counts) -> 2000-05-01
    red = _redemption(staff_user, terms_version, deb, datetime.date(2000, 4, 17))
    assert red.payment_due_date == datetime.date(2000, 5, 1)
    run("debentures", datetime.date(2000, 5, 1))
    (pay,) = ledger(red, K.REDEMPTION_PAYMENT)
    assert pay.status == "open" and pay.amount == D("121000.00")
    run("debentures", datetime.date(2000, 5, 2))
    pay.refresh_from_db()
    red.refresh_from_db()
    assert pay.status == "void" and red.status == "void"


def test_redemption_paid_on_the_due_date_is_satisfied(staff_user, terms_version):
    red = _redemption(staff_user, terms_version, f.DebentureFactory(), datetime.date(2000, 4, 17))
    red.payment_date, red.status = datetime.date(2000, 5, 1), m.RedemptionStatus.PAID
    red.save()
    run("debentures", datetime.date(2000, 5, 3))
    (pay,) = ledger(red, K.REDEMPTION_PAYMENT)
    assert pay.status == "satisfied"


# --- rule 9: Events of Default ------------------------------------------------------------


def test_cure_period_computed_from_the_engine_and_left_open_when_uncured(staff_user, terms_version):
    deb = f.DebentureFactory()
    # (c): uncured for 5 business days; occurred Wednesday 2000-11-22 -> Thanksgiving skipped -> 11-30
    e = m.EventOfDefault.objects.create(debenture=deb, financing=deb.financing, kind="c",
                                        occurred_date=datetime.date(2000, 11, 22), created_by=staff_user)
    run("defaults", datetime.date(2000, 11, 30))
    (row,) = ledger(e, K.CURE_PERIOD)
    assert row.due_date == datetime.date(2000, 11, 30) and "cure period runs" in row.description
    run("defaults", datetime.date(2000, 12, 1))
    row.refresh_from_db()
    assert row.status == "open" and "Event of Default" in row.description
    e.status, e.cured_date = m.EventOfDefault.Status.CURED, datetime.date(2000, 12, 4)
    e.save()
    run("defaults", datetime.date(2000, 12, 4))
    row.refresh_from_db()
    assert row.status == "satisfied"


# --- rule 10: cap -------------------------------------------------------------------------


def test_meeting_date_is_75_days_after_issuances_reach_ten_percent(staff_user, terms_version):
    issuer = f.IssuerFactory()
    # 10% of 7,860,000 = 786,000 shares; reached by the conversion of 2000-04-03
    make_conversion(user=staff_user, terms_version=terms_version, delivery_date=datetime.date(2000, 4, 6),
                    conversion_date=datetime.date(2000, 4, 3), shares_issuable=800_000)
    run("cap", datetime.date(2000, 4, 5))
    (row,) = ledger(issuer, K.MEETING_DATE)
    assert row.due_date == datetime.date(2000, 6, 17)


def test_mandatory_purchase_amount_grows_with_dividends_after_its_due_date(staff_user, terms_version):
    from deals.services.ledger.writer import Row, ledger_put

    c = make_conversion(user=staff_user, terms_version=terms_version, delivery_date=datetime.date(2000, 4, 6),
                        status=m.ConversionStatus.DISHONOURED, dishonoured_date=datetime.date(2000, 4, 10))
    ledger_put(source=c, rows=[Row(K.MANDATORY_PURCHASE, "SPA 5(f)", c.pk, datetime.date(2000, 4, 17), amount=D("1"),
                                   details={"unconverted_liquidation_preference": "100000"})], as_of=datetime.date(2000, 4, 10))
    run("cap", datetime.date(2000, 4, 17))
    (row,) = ledger(c, K.MANDATORY_PURCHASE)
    at_due = row.amount
    assert at_due > D("145000")  # 145% of $100,000 + dividends
    assert run("cap", datetime.date(2000, 5, 17)).updated == 0
    row.refresh_from_db()
    assert row.amount == at_due and obligation_amount_on(row, datetime.date(2000, 5, 17)) > at_due
