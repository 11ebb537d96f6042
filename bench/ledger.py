"""The books at scale on PostgreSQL: 100,000 open obligations; dashboard, Aging and a statement
of account must keep a flat query count (the same as with 10 rows) and a median <= 300 ms.

Uses the database of DATABASE_URL (default postgres://postgres@127.0.0.1:5432/h_settle), which it
drops and re-creates, builds the tables from the models, then:

1. with 10 obligations: counts the queries of each page (``*_q10``);
2. bulk-creates obligations up to N (every money kind, due dates spread over ~18 months around
   the business date, 200 investors, 1% part-paid with a settlement), ANALYZE;
3. requests each page 9 times through Django's test client as a deal admin and reports the
   median milliseconds and the query count (must equal step 1: ``flat=1``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_settle .venv/bin/python bench/ledger.py [rows]

Last line: aging_ms=… dashboard_ms=… statement_ms=… queries_aging=… queries_dashboard=… …
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RUNS = 9


class _NoMigrations:
    def __contains__(self, item):
        return True

    def __getitem__(self, item):
        return None


def _prepare_database() -> str:
    import psycopg

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/h_settle")
    parsed = urlparse(url)
    if not parsed.scheme.startswith("postgres"):
        sys.exit("bench/ledger.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    name = parsed.path.lstrip("/")
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def main(n: int = 100_000) -> None:
    os.environ["DATABASE_URL"] = _prepare_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhtc.settings")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    settings.MIGRATION_MODULES = _NoMigrations()
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.AXES_ENABLED = False  # force_login has no request IP; the lockout is not what is measured
    setup_test_environment()
    call_command("migrate", run_syncdb=True, verbosity=0)

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType

    from deals import models as m
    from deals.selectors.settlements import MONEY_KINDS
    from deals.services.roles import DEAL_ADMIN, ensure_groups
    from deals.terms.params import NHTC_DEFAULTS

    D = Decimal
    ensure_groups()
    user = get_user_model().objects.create_user(username="bench-admin", password="x")
    user.groups.add(Group.objects.get(name=DEAL_ADMIN))
    issuer = m.Issuer.objects.create(name="NHTC", state_of_incorporation="Florida", address="x", authorized_common_shares=50_000_000,
                                     shares_outstanding_at_signing=7_860_000, par_value=D("0.001"))
    fin = m.Financing.objects.create(issuer=issuer, kind="series_j", name="Series J", total_offering=D("1000000"),
                                     initial_closing_date=datetime.date(2000, 3, 7))
    # terms belong to a financing (issue 18)
    m.DealTermsVersion.objects.create(financing=fin, version=1, effective_from=datetime.date(1999, 1, 1), reason="bench",
                                      **m.DealTermsVersion.values_from_terms(NHTC_DEFAULTS, kind="preferred"))
    as_of = datetime.date(2000, 9, 15)
    m.BusinessDate.objects.create(pk=1, business_date=as_of)
    investors = m.Investor.objects.bulk_create(
        [m.Investor(legal_name=f"Bench Fund {i}", jurisdiction="Bahamas", notice_address="x") for i in range(200)]
    )
    ct = ContentType.objects.get_for_model(m.Investor)
    kinds = sorted(MONEY_KINDS)

    def make(start: int, stop: int) -> None:
        batch = []
        for i in range(start, stop):
            inv = investors[i % len(investors)]
            due = as_of + datetime.timedelta(days=(i % 540) - 400)
            batch.append(m.Obligation(
                kind=kinds[i % len(kinds)], clause="SPA 5(c)", content_type=ct, object_id=i + 1, period_key=str(i),
                investor=inv, due_date=due, amount=D(100 + (i % 9_000)), description=f"Bench obligation {i}",
                settled=D(50) if i % 100 == 0 else D(0), status="part_paid" if i % 100 == 0 else "open",
            ))
            if len(batch) == 5_000:
                m.Obligation.objects.bulk_create(batch)
                batch = []
        if batch:
            m.Obligation.objects.bulk_create(batch)

    client = Client()
    client.force_login(user)
    first = investors[0]
    pages = {
        "dashboard": "/",
        "aging": "/books/aging/",
        "statement": f"/books/investors/{first.pk}/statement/",
    }

    def measure(runs: int) -> dict:
        out = {}
        for name, url in pages.items():
            times, queries = [], 0
            for _ in range(runs):
                with CaptureQueriesContext(connection) as ctx:
                    t = time.perf_counter()
                    r = client.get(url)
                    times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, (url, r.status_code)
                queries = len(ctx.captured_queries)
            out[name] = (statistics.median(times), queries)
        return out

    make(0, 10)
    small = measure(2)
    t0 = time.perf_counter()
    make(10, n)
    settled = list(m.Obligation.objects.filter(status="part_paid").values_list("pk", flat=True))
    m.Settlement.objects.bulk_create([
        m.Settlement(obligation_id=pk, kind="payment", date=as_of, amount=D(50), method="wire", recorded_by=user)
        for pk in settled
    ], batch_size=5_000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    setup_s = time.perf_counter() - t0
    big = measure(RUNS)
    flat = all(big[k][1] == small[k][1] for k in pages)
    for k in pages:
        print(f"{k}: median {big[k][0]:.1f} ms, {big[k][1]} queries at {n:,} rows ({small[k][1]} at 10 rows)")
    print(
        f"aging_ms={big['aging'][0]:.0f} dashboard_ms={big['dashboard'][0]:.0f} statement_ms={big['statement'][0]:.0f} "
        f"queries_aging={big['aging'][1]} queries_dashboard={big['dashboard'][1]} queries_statement={big['statement'][1]} "
        f"aging_q10={small['aging'][1]} dashboard_q10={small['dashboard'][1]} statement_q10={small['statement'][1]} "
        f"flat={int(flat)} rows={n} setup_s={setup_s:.1f}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
