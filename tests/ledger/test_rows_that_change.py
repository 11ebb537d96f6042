"""``writer.rows_that_change`` (issue 17, quiet-day sweep): the Periodic Amount writers send only
the rows the upsert would write. Leaving the others out must change nothing: the same rows end
up in the ledger with the same history as when every row goes to the upsert."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from deals.models import Financing, Obligation, ObligationKind
from deals.services.ledger.writer import Row, WriteStamp, rows_that_change, rows_write
from tests import factories as fx

D = datetime.date
AS_OF = D(2000, 9, 1)


def _row(fin_id, n, *, amount="100.00", description="", details=None, investor_id=None, status="open"):
    return Row(ObligationKind.PERIODIC_AMOUNT, "RRA 2(b)(iii)-(iv)", fin_id, D(2000, 9, 10), period_key=f"k{n}",
               investor_id=investor_id, amount=None if amount is None else Decimal(amount), status=status,
               description=description or f"row {n}",
               details=details if details is not None else {"n": n, "base": Decimal("1000.50"), "on": D(2000, 8, 1),
                                                            "nested": {"b": [1, 2], "a": "x"}})


def _state():
    return sorted(Obligation.objects.filter(kind=ObligationKind.PERIODIC_AMOUNT).values_list(
        "period_key", "investor_id", "clause", "due_date", "amount", "status", "satisfied_date", "description", "details"))


def _write(ct, rows):
    """(ledger, history rows written, (created, updated)) after writing ``rows``, then undone."""
    hist = Obligation.history.model
    with transaction.atomic():
        h0 = hist.objects.count()
        counts = rows_write(ct, rows, WriteStamp(AS_OF, timezone.now()))
        out = (_state(), hist.objects.count() - h0, counts)
        transaction.set_rollback(True)
    return out


@pytest.mark.django_db
def test_only_the_rows_the_upsert_would_write_are_sent():
    fin = fx.SeriesJFinancingFactory()
    inv = fx.InvestorFactory()
    ct = ContentType.objects.get_for_model(Financing).pk
    first = [_row(fin.pk, n, investor_id=inv.pk) for n in range(7)] + [_row(fin.pk, 7, amount=None)]
    rows_write(ct, first, WriteStamp(AS_OF, timezone.now()))
    Obligation.objects.filter(period_key="k2").update(status="satisfied", satisfied_date=AS_OF)  # closed: final
    Obligation.objects.filter(period_key__in=["k3", "k4"]).update(status="part_paid")  # settlement owns the status
    assert rows_that_change(ct, first) == []  # nothing moved: nothing to send (part-paid rows keep their status)

    again = [
        first[0],                                                   # unchanged
        _row(fin.pk, 1, investor_id=inv.pk, amount="100.01"),       # amount moved
        _row(fin.pk, 2, investor_id=inv.pk, amount="999.00"),       # closed: never rewritten
        _row(fin.pk, 3, investor_id=inv.pk, description="moved"),   # part-paid, working moved
        first[4],                                                   # part-paid, unchanged
        _row(fin.pk, 5, investor_id=inv.pk, details={"n": 5, "base": Decimal("1000.50"), "on": D(2000, 8, 1),
                                                     "nested": {"b": [1, 3], "a": "x"}}),  # deep in the details
        _row(fin.pk, 6, investor_id=None),                          # investor moved
        _row(fin.pk, 7, amount="1.00"),                             # an amount where there was none
        _row(fin.pk, 8, investor_id=inv.pk),                        # new key
        _row(fin.pk, 9, investor_id=inv.pk, amount="100.004"),      # new key, amount rounded on write
    ]
    sent = rows_that_change(ct, again)
    assert [r.period_key for r in sent] == ["k1", "k3", "k5", "k6", "k7", "k8", "k9"]
    everything, filtered = _write(ct, again), _write(ct, sent)
    assert everything == filtered
    assert filtered[2] == (2, 5)  # and each row sent is written


@pytest.mark.django_db
def test_a_half_cent_the_ledger_rounds_away_is_no_change():
    fin = fx.SeriesJFinancingFactory()
    ct = ContentType.objects.get_for_model(Financing).pk
    rows_write(ct, [_row(fin.pk, 1, amount="100.00")], WriteStamp(AS_OF, timezone.now()))
    same = [_row(fin.pk, 1, amount="100.004")]
    assert rows_that_change(ct, same) == [] and _write(ct, same)[1:] == (0, (0, 0))


@pytest.mark.django_db
def test_a_bulk_build_refreshes_the_ledgers_planner_statistics_in_its_transaction():
    """PostgreSQL: a write that adds ``ANALYZE_AFTER`` rows or more ANALYZEs the ledger in the same
    transaction (the first sweep of a grown book joins the ledger it is building: with statistics
    of an empty table each 20,000-conversion chunk hashed the whole ledger; issue 17 at (c))."""
    from django.db import connection

    from deals.services.ledger import writer

    if connection.vendor != "postgresql":
        pytest.skip("planner statistics (ANALYZE, pg_class.reltuples) are PostgreSQL's")
    fin = fx.SeriesJFinancingFactory()
    ct = ContentType.objects.get_for_model(Financing).pk

    def reltuples() -> float:
        with connection.cursor() as cur:
            cur.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Obligation._meta.db_table])
            return cur.fetchone()[0]

    with connection.cursor() as cur:
        cur.execute(f"ANALYZE {Obligation._meta.db_table}")
    before = reltuples()
    rows_write(ct, [_row(fin.pk, n, details={}) for n in range(writer.ANALYZE_AFTER - 1)], WriteStamp(AS_OF, timezone.now()))
    assert reltuples() == before  # below the threshold: no ANALYZE (a workflow's or a quiet day's write)
    rows_write(ct, [_row(fin.pk, n, details={}) for n in range(writer.ANALYZE_AFTER, 2 * writer.ANALYZE_AFTER)],
               WriteStamp(AS_OF, timezone.now()))
    assert reltuples() >= 2 * writer.ANALYZE_AFTER - 1  # both writes' rows counted, in this transaction
