"""Deadline sweep at scale on PostgreSQL: 100,000 late Series J conversions.

Creates its own database ``bench_sweep`` (or $BENCH_SWEEP_DB; dropped and re-created each run) on
the server of DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test),
builds the tables from the models, bulk-creates N pending conversions whose
shares are late (SPA 5(c)), then:

1. sweeps day D-1 (creates the ledger: delivery, late payment and revocation
   rows per conversion);
2. sweeps day D: every late payment grows by one business day, but no row
   changes state (the amounts accrue in ``deals.selectors.ledger``), so D is
   a quiet day: ``quiet_day_rows_written`` (target 0, history rows included)
   and ``quiet_day_s`` = ``sweep_s`` (``late_rule_s`` is the share-delivery/
   late-payment rule alone);
3. re-runs day D: must change 0 rows (``rerun_changed``);
4. times ONE hand-written SQL UPDATE writing every day-D late payment amount
   into the ledger, as a sweep that stored amounts would (``raw_sql_s``;
   ``ratio`` = sweep_s / raw_sql_s), and checks 1,000 of its amounts against
   the selector's figure for day D (``mismatches``).

Besides, n/5 faxed Debenture conversions (half with the original outstanding, Debenture
Exhibit A) and a Restricted Sale Date with Periodic Amounts for every investor (RRA 2(b),
Held Shares Value) must cost next to nothing on the quiet day (issue 17: ``periodic_s``,
``original_notice_s``).

Queries per rule come from the run's own counters; a rule costs a fixed
number of queries per 20,000-row chunk of conversions (``queries_per_chunk``),
so it does not depend on how many ledger rows change. The last line printed
is name=value pairs.

    .venv/bin/python bench/sweep.py [rows]
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BENCH_DB = os.environ.get("BENCH_SWEEP_DB", "bench_sweep")  # own name when several people bench at once


class _NoMigrations:
    """Build tables straight from the models (as the test suite does)."""

    def __contains__(self, item):
        return True

    def __getitem__(self, item):
        return None


def _prepare_database() -> str:
    import psycopg

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    parsed = urlparse(base)
    if not parsed.scheme.startswith("postgres"):
        sys.exit("bench/sweep.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    return urlunparse(parsed._replace(path=f"/{BENCH_DB}"))


def main(n: int = 100_000) -> None:
    os.environ["DATABASE_URL"] = _prepare_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhtc.settings")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.MIGRATION_MODULES = _NoMigrations()
    settings.DEBUG = False
    call_command("migrate", run_syncdb=True, verbosity=0)

    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    from deals import models as m
    from deals.services.sweeps import CHUNK, sweep_run
    from deals.terms import calendars
    from deals.terms.params import NHTC_DEFAULTS

    D = Decimal
    t0 = time.perf_counter()
    user = get_user_model().objects.create_user(username="bench", password="x")
    issuer = m.Issuer.objects.create(name="NHTC", state_of_incorporation="Florida", address="x", authorized_common_shares=50_000_000,
                                     shares_outstanding_at_signing=7_860_000, par_value=D("0.001"))
    closing = datetime.date(2000, 3, 7)
    fin = m.Financing.objects.create(issuer=issuer, kind="series_j", name="Series J", total_offering=D("1000000"),
                                     initial_closing_date=closing)
    terms = m.DealTermsVersion.objects.create(financing=fin, version=1, effective_from=datetime.date(1999, 1, 1), reason="bench",
                                              **m.DealTermsVersion.values_from_terms(NHTC_DEFAULTS, kind="preferred"))
    investors = m.Investor.objects.bulk_create(
        [m.Investor(legal_name=f"Bench Fund {i}", jurisdiction="Bahamas", notice_address="x") for i in range(100)]
    )
    holdings = m.PreferredHolding.objects.bulk_create([
        m.PreferredHolding(financing=fin, investor=inv, certificate_number=f"J-{i}", shares=10_000,
                           liquidation_preference=D("10000000"), liquidation_preference_outstanding=D("10000000"),
                           purchase_price=D("10000000"), closing_date=closing)
        for i, inv in enumerate(investors)
    ])
    delivery_days = calendars.business_days_between(datetime.date(2000, 4, 3), datetime.date(2000, 4, 28))
    batch = []
    for i in range(n):
        h = holdings[i % len(holdings)]
        dd = delivery_days[i % len(delivery_days)]
        batch.append(m.Conversion(
            preferred=h, investor_id=h.investor_id, terms_version=terms, amount=D(10_000 + 1_000 * (i % 91)),
            late_payment_base=D(10_000 + 1_000 * (i % 91)),
            conversion_date=dd - datetime.timedelta(days=3), notice_method="facsimile", notice_received_date=dd,
            conversion_price=D("1.4375"), shares_for_amount=10_000, shares_issuable=10_000, delivery_date=dd,
            snapshot={}, idempotency_key=f"bench-{i}", created_by=user,
        ))
    m.Conversion.objects.bulk_create(batch, batch_size=5_000)
    del batch
    # What a quiet day must not re-read (issue 17): n/5 faxed Debenture conversions, delivered, half
    # of them with the original Debenture and notice outstanding (Debenture Exhibit A); and a Restricted
    # Sale Date (RRA 2(b)(ii), a suspension beyond 20 days) whose Periodic Amounts use the Held Shares
    # Value of every investor's conversions in the 30 days before it (RRA 2(b)(iii)).
    deb_closing = datetime.date(1999, 11, 22)
    deb_fin = m.Financing.objects.create(issuer=issuer, kind="debenture", name="Debentures", total_offering=D("1000000000"),
                                         initial_closing_date=deb_closing)
    deb_terms = m.DealTermsVersion.objects.create(financing=deb_fin, version=1, effective_from=datetime.date(1999, 1, 1),
                                                  reason="bench", **m.DealTermsVersion.values_from_terms(NHTC_DEFAULTS, kind="debenture"))
    debentures = m.Debenture.objects.bulk_create([
        m.Debenture(financing=deb_fin, investor=inv, number=f"D-{i}", principal=D("1000000000"), principal_outstanding=D("1000000000"),
                    issue_date=deb_closing, dated_date=deb_closing, closing_date=deb_closing, maturity_date=datetime.date(2002, 3, 31))
        for i, inv in enumerate(investors)
    ])
    deb_days = calendars.business_days_between(datetime.date(2000, 3, 1), datetime.date(2000, 4, 28))
    batch = []
    n_deb = n // 5
    for i in range(n_deb):
        deb = debentures[i % len(debentures)]
        cd = deb_days[i % len(deb_days)]
        dd = calendars.add_business_days(cd, 3)
        batch.append(m.Conversion(
            debenture=deb, investor_id=deb.investor_id, terms_version=deb_terms, amount=D(10_000), conversion_date=cd,
            notice_method="facsimile", notice_received_date=cd, conversion_price=D("1.4375"), shares_for_amount=6_956,
            shares_issuable=6_956, delivery_date=dd, original_due_date=calendars.add_business_days(cd, 5),
            original_received_date=None if i % 2 else calendars.add_business_days(cd, 2), status="delivered", delivered_date=dd,
            snapshot={}, idempotency_key=f"bench-deb-{i}", created_by=user,
        ))
    m.Conversion.objects.bulk_create(batch, batch_size=5_000)
    del batch
    from deals.services.company.suspensions import suspension_record

    statement = m.RegistrationStatement.objects.create(financing=fin, filed_date=datetime.date(2000, 3, 20),
                                                       effective_date=datetime.date(2000, 4, 1), shares_registered=50_000_000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    suspension_record(statement=statement, notice_date=datetime.date(2000, 4, 10), start_date=datetime.date(2000, 4, 10),
                      end_date=datetime.date(2000, 6, 30), reason="bench", notice_required=False, user=user,
                      as_of=datetime.date(2000, 5, 1))
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    setup_s = time.perf_counter() - t0

    day0, day = datetime.date(2000, 5, 22), datetime.date(2000, 5, 23)
    t = time.perf_counter()
    first = sweep_run(as_of=day0, triggered_by="bench")
    first_s = time.perf_counter() - t
    assert first.status == "succeeded", first.errors
    ct = ContentType.objects.get_for_model(m.Conversion).pk
    with connection.cursor() as cur:
        cur.execute("ANALYZE deals_obligation")
        cur.execute("CREATE TABLE bench_lp AS SELECT id, amount, description, details, as_of, updated_at FROM deals_obligation "
                    "WHERE kind = 'late_payment'")

    t = time.perf_counter()
    run = sweep_run(as_of=day, triggered_by="bench")
    sweep_s = time.perf_counter() - t
    assert run.status == "succeeded", run.errors
    rules = run.stats["rules"]
    late = rules["share_delivery"]

    hist = m.Obligation.history.model
    hist_before = hist.objects.count()
    t = time.perf_counter()
    rerun = sweep_run(as_of=day, triggered_by="bench re-run")
    rerun_s = time.perf_counter() - t
    quiet_rows = run.stats["changed"] + hist.objects.count() - hist_before
    first_history = hist_before

    with connection.cursor() as cur:
        cur.execute("CREATE TABLE bench_swept AS SELECT id, amount FROM deals_obligation WHERE kind = 'late_payment'")
        cur.execute("UPDATE deals_obligation o SET amount = b.amount, description = b.description, details = b.details, "
                    "as_of = b.as_of, updated_at = b.updated_at FROM bench_lp b WHERE o.id = b.id")
    # The same late-payment update as one hand-written statement: business-day arithmetic
    # through a numbered calendar, the SPA 5(c) schedule inline, only changed rows written.
    days = list(calendars.business_days_between(datetime.date(2000, 1, 1), datetime.date(2000, 12, 31)))
    raw = """
        WITH bd AS (SELECT d, (row_number() OVER (ORDER BY d))::int AS n FROM unnest(%(days)s::date[]) AS d),
        today AS (SELECT n FROM bd WHERE d = %(as_of)s),
        late AS (
            SELECT c.id, c.late_payment_base AS amount, (today.n - bd.n - 3) AS days, g.d AS grace_end
            FROM deals_conversion c JOIN bd ON bd.d = c.delivery_date JOIN bd g ON g.n = bd.n + 3 CROSS JOIN today
            WHERE c.status = 'pending_delivery' AND c.preferred_id IS NOT NULL
        ),
        calc AS (
            SELECT id, days, grace_end, amount / 10000 AS units,
                   CASE WHEN days <= 10 THEN 100 * days ELSE 1000 + 200 * (days - 10) END AS per_unit
            FROM late WHERE days > 0
        )
        UPDATE deals_obligation o
        SET amount = round(calc.per_unit * calc.units, 2),
            description = 'Late payment so far: ' || calc.days || ' business day(s) late, $' || to_char(calc.per_unit, 'FM999,990.00')
                || ' per $10,000; grows each business day until delivery; payable on demand',
            details = jsonb_build_object('business_days_late', calc.days, 'clause', 'SPA 5(c)', 'counted_through', %(as_of)s::date,
                'delivered', false, 'grace_end', calc.grace_end, 'per_unit', calc.per_unit::text, 'units', calc.units::text),
            as_of = %(as_of)s, updated_at = now()
        FROM calc
        WHERE o.content_type_id = %(ct)s AND o.kind = 'late_payment' AND o.period_key = '' AND o.object_id = calc.id
          AND o.status = 'open' AND o.amount IS DISTINCT FROM round(calc.per_unit * calc.units, 2)
    """
    with connection.cursor() as cur:
        # best of two settings for the raw statement: PostgreSQL's default (JIT on) and JIT off
        cur.execute("BEGIN")
        t = time.perf_counter()
        cur.execute(raw, {"days": days, "as_of": day, "ct": ct})
        raw_jit_s = time.perf_counter() - t
        cur.execute("ROLLBACK")
        cur.execute("SET jit = off")
        t = time.perf_counter()
        cur.execute(raw, {"days": days, "as_of": day, "ct": ct})
        raw_rows = cur.rowcount
        raw_s = min(time.perf_counter() - t, raw_jit_s)
        cur.execute("RESET jit")
        cur.execute("SELECT id, amount FROM deals_obligation WHERE kind = 'late_payment' ORDER BY id LIMIT 1000")
        raw_amounts = dict(cur.fetchall())
        cur.execute("UPDATE deals_obligation o SET amount = b.amount, description = b.description, details = b.details, "
                    "as_of = b.as_of, updated_at = b.updated_at FROM bench_lp b WHERE o.id = b.id")
    from deals.selectors.ledger import with_amounts_on

    sample = with_amounts_on(m.Obligation.objects.filter(id__in=list(raw_amounts)), day)
    mismatches = sum(1 for o in sample if o.amount_due != raw_amounts[o.id])

    queries = {name: r["queries"] for name, r in rules.items()}
    chunks = -(-n // CHUNK)
    print(f"setup (not timed in the figures): {setup_s:.1f} s for {n:,} conversions")
    print(f"first sweep (D-1, creates {first.stats['rules']['share_delivery']['created']:,} ledger rows): {first_s:.2f} s")
    print(f"sweep D: {sweep_s:.2f} s total; share_delivery/late-payment rule {late['seconds']:.2f} s, "
          f"{late['updated']:,} rows updated, {late['queries']} queries ({chunks} chunk(s) of {CHUNK:,})")
    print("per rule: " + ", ".join(f"{k}={v['seconds']:.3f}s/{v['queries']}q" for k, v in rules.items()))
    print(f"re-run D: {rerun_s:.2f} s, {rerun.stats['changed']} rows changed")
    print(f"quiet day D: {quiet_rows} ledger+history rows written; first sweep wrote {first_history:,} history rows")
    print(f"raw SQL late-payment UPDATE: {raw_s:.2f} s, {raw_rows:,} rows; amounts differing from the sweep's: {mismatches}")
    print(
        f"rows={n} sweep_s={sweep_s:.3f} late_rule_s={late['seconds']:.3f} raw_sql_s={raw_s:.3f} "
        f"ratio={sweep_s / raw_s:.2f} late_rule_ratio={late['seconds'] / raw_s:.2f} rerun_changed={rerun.stats['changed']} "
        f"rerun_s={rerun_s:.3f} quiet_day_rows_written={quiet_rows} quiet_day_s={sweep_s:.3f} "
        f"first_sweep_s={first_s:.3f} first_sweep_history_rows={first_history} queries_late_payment={queries['share_delivery']} "
        f"queries_per_chunk={max(queries['share_delivery'] - 1, 1) // chunks} "
        + " ".join(f"queries_{k}={v}" for k, v in queries.items() if k != "share_delivery")
        + f" mismatches={mismatches} periodic_s={rules['periodic_amounts']['seconds']:.3f} "
        f"original_notice_s={rules['original_notice']['seconds']:.3f} debenture_conversions={n_deb} "
        f"periodic_rows={m.Obligation.objects.filter(kind='periodic_amount').count()}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
