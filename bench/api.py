"""REST API at scale on PostgreSQL (your own database, e.g. h_api): list pages with 100,000
conversions, conversion submits through 4 gunicorn workers, and the what-if simulator.

    BENCH_API_DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_api REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python bench/api.py [conversions] [submits]

Without BENCH_API_DATABASE_URL it creates its own database ``bench_api`` on the server of
DATABASE_URL (dropped and re-created each run), as bench/sweep.py does.

1. Resets the bench database's ``public`` schema (it is emptied), builds
   the tables from the models, seeds an issuer, 100 investors with one debenture each, prices and
   N conversions (bulk).
2. List endpoints (token auth, in-process client): the query count of page 1 with 10 rows and
   with N rows (must be equal) and the median time per page over 20 requests.
3. Starts gunicorn (4 workers, 127.0.0.1) and POSTs conversion submits with Idempotency-Keys from
   8 client threads; the notice PDF of each is queued to Celery on REDIS_URL (no worker runs,
   so the render is queued, not done). Reports submits per second and failures.
4. What-if through the engine: 250 trading days, 13 debentures + 3 Series J holders, holders
   converting the maximum as soon as eligible.

The last line printed is name=value pairs.
"""

from __future__ import annotations

import datetime
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
D = Decimal


class _NoMigrations:
    def __contains__(self, item):
        return True

    def __getitem__(self, item):
        return None


def _bench_database() -> str:
    """The database the bench may empty: BENCH_API_DATABASE_URL, else ``bench_api`` (re-created)."""
    import psycopg

    explicit = os.environ.get("BENCH_API_DATABASE_URL")
    base = explicit or os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    parsed = urlparse(base)
    if not parsed.scheme.startswith("postgres"):
        sys.exit("bench/api.py needs PostgreSQL: set BENCH_API_DATABASE_URL or DATABASE_URL=postgres://...")
    if explicit:
        return explicit
    with psycopg.connect(urlunparse(parsed._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS bench_api")
        conn.execute("CREATE DATABASE bench_api")
    return urlunparse(parsed._replace(path="/bench_api"))


def _reset_schema(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(n: int):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    from deals import models as m
    from deals.services.api_tokens import api_token_create
    from deals.services.roles import CLERK, ensure_groups
    from deals.terms import calendars
    from deals.terms.params import NHTC_DEFAULTS

    ensure_groups()
    user = get_user_model().objects.create_user(username="bench", password="x")
    user.groups.add(Group.objects.get(name=CLERK))
    m.BusinessDate.objects.update_or_create(pk=1, defaults={"business_date": datetime.date(2001, 6, 1)})
    issuer = m.Issuer.objects.create(name="NHTC", state_of_incorporation="Florida", address="x", authorized_common_shares=500_000_000,
                                     shares_outstanding_at_signing=7_860_000, shares_issued=7_860_000, par_value=D("0.001"))
    closing = datetime.date(2000, 1, 14)
    fin = m.Financing.objects.create(issuer=issuer, kind="debenture", name="Debentures", total_offering=D("1000000000"),
                                     initial_closing_date=closing)
    # terms belong to a financing (issue 18)
    terms = m.DealTermsVersion.objects.create(financing=fin, version=1, effective_from=datetime.date(1999, 1, 1), reason="bench",
                                              **m.DealTermsVersion.values_from_terms(NHTC_DEFAULTS, kind="debenture"))
    investors = m.Investor.objects.bulk_create(
        [m.Investor(legal_name=f"Bench Fund {i}", jurisdiction="Bahamas", notice_address="x") for i in range(100)])
    debs = m.Debenture.objects.bulk_create([
        m.Debenture(financing=fin, investor=inv, number=f"D-{i}", principal=D("100000000"), principal_outstanding=D("100000000"),
                    dated_date=closing, issue_date=closing, closing_date=closing, maturity_date=datetime.date(2005, 3, 31))
        for i, inv in enumerate(investors)])
    m.MarketPrice.objects.bulk_create([m.MarketPrice(date=d, closing_bid=D("1.5000"), closing_price=D("1.5625"), source="bench")
                                       for d in calendars.trading_days_between(datetime.date(1999, 10, 1), datetime.date(2001, 6, 1))])
    _, token = api_token_create(user=user, name="bench")

    def bulk(count: int, offset: int = 0):
        batch = []
        days = calendars.trading_days_between(datetime.date(2000, 6, 1), datetime.date(2001, 5, 1))
        for i in range(offset, offset + count):
            dd = days[i % len(days)]
            d = debs[i % len(debs)]
            batch.append(m.Conversion(
                debenture=d, investor_id=d.investor_id, terms_version=terms, amount=D(1000), conversion_date=dd,
                notice_method="facsimile", notice_received_date=dd, conversion_price=D("1.2000"), shares_for_amount=833,
                shares_issuable=833, delivery_date=dd + datetime.timedelta(days=5), snapshot={}, idempotency_key=f"bench-{i}",
                created_by=user, reference=f"fax {i}",
            ))
            if len(batch) == 5000:
                m.Conversion.objects.bulk_create(batch)
                batch = []
        if batch:
            m.Conversion.objects.bulk_create(batch)
        with connection.cursor() as cur:
            cur.execute("ANALYZE")

    return token, bulk, debs


def _counter(log: list):
    def wrapper(execute, sql, params, many, context):
        log.append(sql)
        return execute(sql, params, many, context)

    return wrapper


LIST_URLS = ["/api/conversions/", "/api/conversions/?status=pending_delivery&q=fax 9", "/api/investors/", "/api/debentures/",
             "/api/obligations/", "/api/notices/"]


def measure_lists(token: str, repeats: int = 20) -> dict[str, tuple[int, float]]:
    from django.db import connection
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    out = {}
    for url in LIST_URLS:
        client.get(url)  # warm
        q: list[str] = []
        with connection.execute_wrapper(_counter(q)):
            r = client.get(url)
        assert r.status_code == 200, (url, r.status_code, r.content[:300])
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - t)
        out[url] = (len(q), statistics.median(times) * 1000)
    return out


def submit_load(token: str, debs, total: int, threads: int = 8) -> tuple[float, int, int]:
    port = _free_port()
    env = {**os.environ, "DEBUG": "false", "API_THROTTLE_RATE": "1000000/min", "LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "nhtc.wsgi:application", "-w", "4", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning"], cwd=ROOT, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/accounts/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)

        def one(i: int) -> int:
            d = debs[i % len(debs)]
            body = json.dumps({"instrument": f"debenture:{d.pk}", "amount": "1000.00", "conversion_date": "2001-05-31",
                               "notice_method": "facsimile", "notice_received_date": "2001-05-31", "interest_election": "cash",
                               "reference": f"bench {i}"}).encode()
            req = urllib.request.Request(f"{base}/api/conversions/", data=body, method="POST", headers={
                "Authorization": f"Token {token}", "Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex})
            try:
                with urllib.request.urlopen(req, timeout=60) as resp:
                    return resp.status
            except urllib.error.HTTPError as err:
                return err.code

        for i in range(8):  # warm the workers
            one(10_000 + i)
        t = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            codes = list(pool.map(one, range(total)))
        elapsed = time.perf_counter() - t
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    ok = sum(1 for c in codes if c == 201)
    return ok / elapsed, ok, len(codes) - ok


def whatif_bench() -> float:
    from deals.terms import calendars
    from deals.terms.params import NHTC_DEFAULTS
    from deals.terms.whatif import DebentureIn, PreferredIn, Scenario, WarrantIn, simulate

    closing = datetime.date(2000, 1, 14)
    start = datetime.date(2000, 3, 1)
    days = tuple([start] + [calendars.add_trading_days(start, i) for i in range(1, 250)])
    history = calendars.trading_days_before(start, 65)
    bids = {d: D("1.5000") for d in history}
    bids.update({d: (D("1.5") * D("0.997") ** i).quantize(D("0.0001")) for i, d in enumerate(days)})
    debs = [DebentureIn(f"debenture:{i}", f"Holder {i}", D("100000"), D(0), closing, closing) for i in range(13)]
    prefs = [PreferredIn(f"preferred:{i}", f"J holder {i}", D("400000"), D(0), closing, D("400000")) for i in range(3)]
    warrants = [WarrantIn(f"warrant:{i}", f"J holder {i}", 50_000, D("1.65"), datetime.date(2005, 1, 31)) for i in range(3)]
    scenario = Scenario(terms=NHTC_DEFAULTS, days=days, bids=bids, debentures=debs, preferred=prefs, warrants=warrants, policy="max",
                        shares_outstanding_at_signing=7_860_000, issued_shares=7_860_000, authorized_shares=50_000_000,
                        initial_closing_date=closing, effective_date=datetime.date(2000, 7, 1),
                        suspensions=((datetime.date(2000, 9, 1), datetime.date(2000, 9, 20)),))
    simulate(scenario)  # warm
    times = []
    for _ in range(3):
        t = time.perf_counter()
        result = simulate(scenario)
        times.append(time.perf_counter() - t)
    assert len(result.rows) == 250
    return min(times)


def main(n: int = 100_000, submits: int = 300) -> None:
    url = _bench_database()
    os.environ["DATABASE_URL"] = url  # this process and the gunicorn workers
    _reset_schema(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhtc.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.MIGRATION_MODULES = _NoMigrations()
    settings.DEBUG = False
    call_command("migrate", run_syncdb=True, verbosity=0)
    from django.db import connection

    t0 = time.perf_counter()
    token, bulk, debs = seed(n)
    bulk(10)
    small = measure_lists(token, repeats=3)
    bulk(n - 10, offset=10)
    setup_s = time.perf_counter() - t0
    large = measure_lists(token)
    flat = all(small[u][0] == large[u][0] for u in LIST_URLS)
    worst = max(ms for _, ms in large.values())
    for u in LIST_URLS:
        print(f"{u}: {small[u][0]} queries at 10 rows, {large[u][0]} at {n:,}; median {large[u][1]:.1f} ms")
    connection.close()
    rate, ok, failed = submit_load(token, debs, submits)
    print(f"submits: {ok} recorded, {failed} failed, {rate:.1f}/s through 4 gunicorn workers (notices queued to "
          f"{'Redis' if os.environ.get('REDIS_URL') else 'in-process'})")
    whatif_s = whatif_bench()
    print(f"what-if 250 trading days x 13 debentures + 3 Series J holders: {whatif_s * 1000:.0f} ms (setup {setup_s:.0f} s)")
    print(f"conversions={n} list_queries_flat={str(flat).lower()} list_median_ms_max={worst:.1f} submit_per_s={rate:.1f} "
          f"submit_failed={failed} whatif_ms={whatif_s * 1000:.0f}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
