"""SPA 5(c) Mandatory Conversion Delivery Date and the Debenture 7 Sale window (issue 16 item 11)."""

from datetime import date
from decimal import Decimal

import pytest

from deals.terms.delivery import late_payment, mandatory_conversion_delivery_date
from deals.terms.errors import InvalidInput
from deals.terms.params import NHTC_DEFAULTS as T
from deals.terms.sale import sale_window

# --- SPA 5(c): "the earlier of (i) ... or (ii) the fourth or sixth business date ... after written notice"


def test_fourth_business_day_after_the_holders_notice_when_earlier():
    # notice Thursday 2000-06-29; Tuesday 07-04 is a holiday: Fri 30, Mon 3, Wed 5, Thu 6 -> 2000-07-06
    r = mandatory_conversion_delivery_date(business_days=4, holder_notice_date=date(2000, 6, 29),
                                           submitted_delivery_date=date(2000, 7, 10))
    assert r.notice_delivery_date == date(2000, 7, 6) and r.delivery_date == date(2000, 7, 6)
    assert r.basis == "holder_notice"


def test_sixth_business_day_case():
    r = mandatory_conversion_delivery_date(business_days=6, holder_notice_date=date(2000, 6, 29))
    assert r.delivery_date == date(2000, 7, 10)  # Fri, Mon, Wed, Thu, Fri, Mon


def test_the_submitted_notice_of_conversion_wins_when_earlier_or_equal():
    r = mandatory_conversion_delivery_date(business_days=4, holder_notice_date=date(2000, 6, 29),
                                           submitted_delivery_date=date(2000, 7, 6))
    assert r.delivery_date == date(2000, 7, 6) and r.basis == "notice_of_conversion"
    r = mandatory_conversion_delivery_date(business_days=4, submitted_delivery_date=date(2000, 7, 5))
    assert r.delivery_date == date(2000, 7, 5) and r.notice_delivery_date is None


def test_neither_notice_means_no_delivery_date_yet_and_other_cases_are_refused():
    assert mandatory_conversion_delivery_date(business_days=6).delivery_date is None
    with pytest.raises(InvalidInput, match="fourth or sixth"):
        mandatory_conversion_delivery_date(business_days=5, holder_notice_date=date(2000, 6, 29))


def test_late_payments_run_from_the_mandatory_conversion_delivery_date():
    r = mandatory_conversion_delivery_date(business_days=4, holder_notice_date=date(2000, 6, 29))
    # grace to the 3rd business day after 07-06 (07-11); delivered 07-13 = 2 days late, $200 per $10,000
    late = late_payment(terms=T, amount_converted=Decimal("10000"),
                        delivery_date=r.delivery_date, delivered_on=date(2000, 7, 13))
    assert late.business_days_late == 2 and str(late.amount) == "200.00"


# --- Debenture 7: "within fifteen (15) days of receipt of notice of such Sale" ------------------


def test_holder_may_convert_through_the_fifteenth_day_not_the_sixteenth():
    received = date(2000, 3, 1)
    assert sale_window(notice_received=received, as_of=date(2000, 3, 16)).can_convert
    last = sale_window(notice_received=received, as_of=date(2000, 3, 16))
    assert last.window_end == date(2000, 3, 16) and not last.can_prepay
    after = sale_window(notice_received=received, as_of=date(2000, 3, 17))
    assert not after.can_convert and after.can_prepay and "ended on 2000-03-16" in after.reason


def test_a_written_election_not_to_convert_lets_the_company_prepay_the_next_day():
    w = sale_window(notice_received=date(2000, 3, 1), as_of=date(2000, 3, 6), holder_declined_on=date(2000, 3, 5))
    assert not w.can_convert and w.can_prepay and w.prepay_from == date(2000, 3, 6)


def test_tender_of_payment_ends_the_conversion_right_but_an_early_tender_does_not():
    w = sale_window(notice_received=date(2000, 3, 1), as_of=date(2000, 3, 20), tender_date=date(2000, 3, 18))
    assert not w.can_convert and not w.can_prepay and "terminated" in w.reason
    with pytest.raises(InvalidInput, match="does not end the conversion right"):
        sale_window(notice_received=date(2000, 3, 1), as_of=date(2000, 3, 20), tender_date=date(2000, 3, 10))


def test_a_conversion_in_the_window_rules_out_prepayment():
    w = sale_window(notice_received=date(2000, 3, 1), as_of=date(2000, 3, 30), conversion_delivered_on=date(2000, 3, 16))
    assert not w.can_prepay and not w.can_convert
