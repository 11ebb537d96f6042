"""Rule 1: share delivery, SPA 5(c) late payments and the revocation right."""

import datetime
from decimal import Decimal

import pytest

from deals import models as m
from deals.selectors.ledger import obligation_amount_on
from deals.terms.delivery import late_payment
from deals.terms.params import NHTC_DEFAULTS
from tests import factories as f

from .conftest import ledger, make_conversion, run

D = Decimal
K = m.ObligationKind
pytestmark = pytest.mark.django_db

# Delivery Date Monday 2000-04-17; 3 business days after it end Thursday 04-20
# (the grace); Good Friday 2000-04-21 is an NYSE holiday but New York banks are
# open, so it is a business day and the first day late.
DELIVERY = datetime.date(2000, 4, 17)


@pytest.fixture
def conv(staff_user, terms_version):
    return make_conversion(user=staff_user, terms_version=terms_version, delivery_date=DELIVERY)


def test_no_late_payment_on_the_last_grace_day(conv):
    run("share_delivery", datetime.date(2000, 4, 20))
    assert ledger(conv, K.LATE_PAYMENT) == []
    assert ledger(conv, K.REVOCATION_RIGHT) == []
    (delivery,) = ledger(conv, K.SHARE_DELIVERY)
    assert delivery.due_date == DELIVERY and delivery.status == "open"


def test_good_friday_is_the_first_business_day_late(conv):
    run("share_delivery", datetime.date(2000, 4, 21))
    (late,) = ledger(conv, K.LATE_PAYMENT)
    # $100 per $10,000 for 1 day on $100,000 converted
    assert late.amount == D("1000.00")
    assert late.due_date == datetime.date(2000, 4, 21)
    assert late.details["accrual"]["delivery_date"] == "2000-04-17"
    (right,) = ledger(conv, K.REVOCATION_RIGHT)
    assert right.due_date == datetime.date(2000, 4, 21) and right.status == "open"


def test_late_payment_does_not_grow_over_the_weekend_and_grows_on_monday(conv):
    run("share_delivery", datetime.date(2000, 4, 21))
    assert run("share_delivery", datetime.date(2000, 4, 23)).changed == 0  # Sunday
    (late,) = ledger(conv, K.LATE_PAYMENT)
    assert obligation_amount_on(late, datetime.date(2000, 4, 23)) == D("1000.00")
    assert run("share_delivery", datetime.date(2000, 4, 24)).changed == 0  # the amount is the selector's
    assert obligation_amount_on(late, datetime.date(2000, 4, 24)) == D("2000.00")


def test_late_payment_grows_200_per_day_after_ten(conv):
    # 12 business days after 04-20: 04-21..05-08 -> $1,000 + 2 x $200 = $1,400 per $10,000
    as_of = datetime.date(2000, 5, 8)
    run("share_delivery", as_of)
    (late,) = ledger(conv, K.LATE_PAYMENT)
    assert obligation_amount_on(late, as_of) == D("14000.00")
    expected = late_payment(terms=NHTC_DEFAULTS, amount_converted=D("100000"), delivery_date=DELIVERY, as_of=as_of)
    assert obligation_amount_on(late, as_of) == expected.amount
    assert "SPA 5(c)" in late.clause


def test_thanksgiving_is_not_a_business_day(staff_user, terms_version):
    # Delivery Date Monday 2000-11-20: grace 11-21, 11-22, (Thanksgiving 11-23 skipped), 11-24.
    c = make_conversion(user=staff_user, terms_version=terms_version, delivery_date=datetime.date(2000, 11, 20), amount=D("25000"))
    run("share_delivery", datetime.date(2000, 11, 24))
    assert ledger(c, K.LATE_PAYMENT) == []
    run("share_delivery", datetime.date(2000, 11, 27))
    # 1 day on $25,000 prorated: 2.5 x $100
    assert obligation_amount_on(ledger(c, K.LATE_PAYMENT)[0], datetime.date(2000, 11, 27)) == D("250.00")


def test_delivery_closes_delivery_and_revocation_and_fixes_the_late_payment(conv):
    run("share_delivery", datetime.date(2000, 4, 24))
    conv.status = m.ConversionStatus.DELIVERED
    conv.delivered_date = datetime.date(2000, 4, 25)
    conv.save()
    run("share_delivery", datetime.date(2000, 4, 28))
    (delivery,) = ledger(conv, K.SHARE_DELIVERY)
    assert (delivery.status, delivery.satisfied_date) == ("satisfied", datetime.date(2000, 4, 25))
    (right,) = ledger(conv, K.REVOCATION_RIGHT)
    assert right.status == "void"
    (late,) = ledger(conv, K.LATE_PAYMENT)
    # counted through delivery on 04-25 (3 days), not through the as-of date
    assert late.amount == D("3000.00") and late.status == "open" and late.due_date == datetime.date(2000, 4, 25)


def test_closed_rows_are_never_reopened(conv):
    run("share_delivery", datetime.date(2000, 4, 24))
    (late,) = ledger(conv, K.LATE_PAYMENT)
    late.status = "satisfied"
    late.save()
    stats = run("share_delivery", datetime.date(2000, 4, 25))
    late.refresh_from_db()
    assert late.status == "satisfied" and late.amount == D("1000.00")
    assert stats.updated == 0


def test_debenture_conversion_has_delivery_but_no_spa_late_payment(staff_user, terms_version):
    deb = f.DebentureFactory()
    c = make_conversion(user=staff_user, terms_version=terms_version, debenture=deb, delivery_date=DELIVERY)
    run("share_delivery", datetime.date(2000, 5, 10))
    assert [o.kind for o in ledger(c)] == [K.SHARE_DELIVERY]
    assert ledger(c)[0].clause == "Debenture 4(A)"


def test_rerun_same_day_changes_nothing(conv):
    first = run("share_delivery", datetime.date(2000, 4, 26))
    again = run("share_delivery", datetime.date(2000, 4, 26))
    assert first.created == 3 and again.changed == 0


def test_a_late_payment_that_starts_after_the_revocation_right_is_still_written(staff_user, terms_version):
    """Issue 17's quiet-day filter skips conversions whose rows are all current; one whose late payment
    has not started yet (a longer grace than the revocation period) must still be read each day."""
    from deals.selectors.terms import terms_in_force

    holding = f.PreferredHoldingFactory()
    version = terms_in_force(financing=holding.financing, day=DELIVERY).version
    version.late_grace_business_days = 5  # revocation after 3 business days, lateness after 5
    version.save()
    conv = make_conversion(user=staff_user, terms_version=version, preferred=holding, delivery_date=DELIVERY)
    run("share_delivery", datetime.date(2000, 4, 21))  # Good Friday: 4th business day, the right is open
    assert {o.kind for o in ledger(conv)} == {K.SHARE_DELIVERY, K.REVOCATION_RIGHT}
    assert run("share_delivery", datetime.date(2000, 4, 24)).rows == 0  # 5th business day: still in the grace
    stats = run("share_delivery", datetime.date(2000, 4, 25))  # 6th: the first day late
    assert stats.created == 1
    (late,) = ledger(conv, K.LATE_PAYMENT)
    assert late.due_date == datetime.date(2000, 4, 25)


def test_a_conversion_closed_with_its_rows_settled_is_not_read_again(staff_user, terms_version):
    """Issue 17, (c): a conversion delivered on time (no revocation right, no late payment) or
    delivered late (its rows void and final) has nothing a later date can move: the sweep does
    not read it again in its 120 days of CLOSED_LOOKBACK. One closed without any ledger row yet
    (data loaded in bulk) is still read and built; a pending one is read until its rows are current."""
    on_time = make_conversion(user=staff_user, terms_version=terms_version, delivery_date=DELIVERY,
                              status=m.ConversionStatus.DELIVERED, delivered_date=DELIVERY)
    late = make_conversion(user=staff_user, terms_version=terms_version, delivery_date=DELIVERY)
    first = run("share_delivery", datetime.date(2000, 4, 26))  # late: open right and late payment
    assert first.read == 2 and {o.kind for o in ledger(late)} == {K.SHARE_DELIVERY, K.REVOCATION_RIGHT, K.LATE_PAYMENT}
    assert [o.status for o in ledger(on_time)] == ["satisfied"]
    assert run("share_delivery", datetime.date(2000, 4, 27)).read == 0  # quiet: both current
    # the late one is delivered (the workflow path: conversion changed, its rows rewritten)
    from deals.services.conversions import delivery_record

    delivery_record(conversion=late, delivered_date=datetime.date(2000, 4, 27), reference="DTC", user=staff_user)
    assert {o.kind: o.status for o in ledger(late)} == {K.SHARE_DELIVERY: "satisfied", K.REVOCATION_RIGHT: "void",
                                                       K.LATE_PAYMENT: "open"}
    for day in (datetime.date(2000, 4, 28), datetime.date(2000, 5, 1), datetime.date(2000, 8, 1)):
        stats = run("share_delivery", day)
        assert (stats.read, stats.changed) == (0, 0), day
    # a delivered conversion with no ledger row at all is read and built
    bulk = make_conversion(user=staff_user, terms_version=terms_version, delivery_date=DELIVERY,
                           status=m.ConversionStatus.DELIVERED, delivered_date=datetime.date(2000, 4, 25))
    stats = run("share_delivery", datetime.date(2000, 8, 2))
    assert stats.read == 1 and {o.kind for o in ledger(bulk)} == {K.SHARE_DELIVERY, K.REVOCATION_RIGHT, K.LATE_PAYMENT}


def test_sweeps_after_the_first_read_only_what_moved_and_miss_nothing(staff_user, terms_version):
    """Issue 17, (c): after a successful sweep, the next reads only conversions changed since it
    started and pending ones whose revocation right or late payment can start since its date
    (``_since_last_sweep``, with its margin before that start). The same fortnight -- deliveries, a
    conversion entered late, pending ones coming due; each day an hour after the one before --
    swept day by day both ways (every day a full read, then through ``sweep_run`` so each day
    leans on the day before) leaves the same ledger every day."""
    from django.db import transaction

    from deals.services.conversions import delivery_record
    from deals.services.sweeps import sweep_run

    def day(n):
        return datetime.date(2000, 4, 10) + datetime.timedelta(days=n)

    import time_machine
    from django.utils import timezone

    clock = timezone.now().replace(microsecond=0)

    def at(n):  # each day's events and sweep an hour after the day before's (the clock the margin reads)
        return time_machine.travel(clock + datetime.timedelta(hours=n), tick=True)

    def fortnight(sweep):
        with at(-1):
            convs = [make_conversion(user=staff_user, terms_version=terms_version, delivery_date=day(k)) for k in (-20, -6, 0, 3, 9)]
            convs.append(make_conversion(user=staff_user, terms_version=terms_version, debenture=f.DebentureFactory(),
                                         delivery_date=day(1)))
        ledgers, reads = [], []
        for n in range(16):
            traveller = at(n)
            traveller.start()
            if n == 4:
                delivery_record(conversion=convs[2], delivered_date=day(4), reference="DTC", user=staff_user)  # late
            if n == 6:  # entered late (bulk, no workflow): delivered a week ago, still pending
                convs.append(make_conversion(user=staff_user, terms_version=terms_version, delivery_date=day(-1)))
            if n == 8:
                delivery_record(conversion=convs[5], delivered_date=day(8), reference="DTC", user=staff_user)
            reads.append(sweep(day(n)))
            traveller.stop()
            index = {c.pk: i for i, c in enumerate(convs)}
            ledgers.append(sorted((k, index[o], due, amount, st, sat, clause) for k, o, due, amount, st, sat, clause in
                                  m.Obligation.objects.values_list("kind", "object_id", "due_date", "amount", "status",
                                                                   "satisfied_date", "clause")))
        return ledgers, reads

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            full, full_reads = fortnight(lambda d: run("share_delivery", d).read)
            raise Rollback
    except Rollback:
        pass

    def narrowed(d):
        done = sweep_run(as_of=d, triggered_by="test", rules=["share_delivery"])
        assert done.status == "succeeded", done.errors
        return done.stats["rules"]["share_delivery"]["read"]

    swept, reads = fortnight(narrowed)
    assert swept == full  # the same ledger, day by day
    assert reads[0] == full_reads[0] == 6  # the first sweep reads everything
    assert sum(reads[1:]) < sum(full_reads[1:])  # then less than a full read
    assert reads[6] >= 1  # the conversion entered late is read the day it appears
    kinds = {(k, i) for k, i, *_ in swept[-1]}
    assert {(K.LATE_PAYMENT, 0), (K.REVOCATION_RIGHT, 4), (K.LATE_PAYMENT, 6), (K.LATE_PAYMENT, 2)} <= kinds
