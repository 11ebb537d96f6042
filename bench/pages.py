"""Every page of the URLconf at the demo size and at (b) (and (c) with ``--size c``), on PostgreSQL (issue 17).

Creates its own databases ``<name of DATABASE_URL>_bench_pages_demo`` and ``..._bench_pages`` (dropped
and re-created each run; ``--reuse`` walks the second as an earlier run left it) on the server of
DATABASE_URL (default postgres://postgres@127.0.0.1:5432/h_gen), migrates them, then:

1. grows the demo deal to the ``tiny`` preset (``manage.py grow_demo``: the demo deal plus a few
   of every record) and walks every page (``deals.demo_pages.page_urls``: ids from the data, the
   list pages also with a search, a filter and a page past the end; POST-only views answer 405 and
   are skipped) as a clerk and as a deal admin with Django's test client, DEBUG off: the median of
   5 loads (ms), the query count and the slowest query of one load;
2. grows to (b) (1,000 investors, 10,000 debentures, 10,000 Series J holdings, 100,000 conversions,
   20,000 notices, 2,000 exercises; the ledger built by the real sweep), ANALYZE, walks again;
3. with ``--size c``: grows on to 1,000,000 conversions and walks a third time.

A page a role may not open (302 to the login / 403) is loaded once and listed with its status; a
page slower than 5 s on its first load is loaded once (``*`` in the table). The OCF zip export (the
whole book) is left out unless ``--with-exports``.
A page's queries are flat when its count at the largest size equals the demo's (per role).
Prints a table, the conversion form size in KB, and as the last line:

    pages=… worst_ms=… worst_page=… pages_over_300ms=… queries_not_flat=… form_kb=…

    nice -n 10 .venv/bin/python bench/pages.py [--size b|c] [--runs 5] [--no-admin]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import deque
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


SLOW_MS = 5_000  # a page slower than this on its first load is not loaded 4 more times
BULK_EXPORTS = {"cap_table_ocf"}  # whole-book export (minutes at 5,000 conversions): only with --with-exports


def _server() -> tuple:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/h_gen")
    parsed = urlparse(base)
    if not parsed.scheme.startswith("postgres"):
        sys.exit("bench/pages.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    return parsed, f"{parsed.path.lstrip('/') or 'bench'}_bench_pages"


def _create(name: str) -> None:
    import psycopg

    parsed, _ = _server()
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=("small", "b", "c"), default="b", help="small: a quick check of the script")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-admin", action="store_true", help="Leave out the Django admin's pages.")
    ap.add_argument("--with-exports", action="store_true", help="Also load the OCF zip export (the whole book; slow).")
    ap.add_argument("--reuse", action="store_true", help="Walk the big database of an earlier run as it is (no re-growing).")
    args = ap.parse_args()

    parsed, big_db = _server()
    demo_db = f"{big_db}_demo"
    _create(demo_db)
    if not args.reuse:
        _create(big_db)
    os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{demo_db}"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhtc.settings")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from deals.demo_grow import PRESETS, grow_demo
    from deals.demo_pages import page_urls, unmapped_names
    from deals.services.roles import CLERK, DEAL_ADMIN, ensure_groups

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.AXES_ENABLED = False  # force_login has no request IP; the lockout is not what is measured
    setup_test_environment()
    t0 = time.perf_counter()
    clients = {}

    def use_database(name: str, *, migrate: bool) -> None:
        """Point the default connection at ``name`` (migrated if new) and log the two users in there."""
        from django.db import connections

        connections["default"].close()
        connections["default"].settings_dict["NAME"] = name
        if migrate:
            call_command("migrate", verbosity=0)
        ensure_groups()
        for role, group, staff in (("clerk", CLERK, False), ("admin", DEAL_ADMIN, True)):
            u, _ = get_user_model().objects.get_or_create(username=f"bench-{role}", defaults={"is_staff": staff})
            u.groups.add(Group.objects.get(name=group))
            c = Client(raise_request_exception=False)
            c.force_login(u)
            clients[role] = c

    def walk(label: str, runs: int) -> tuple[dict, float]:
        _pending_approval(get_user_model().objects.get(username="bench-admin"))  # on the grown data
        pages, missing = page_urls(admin=not args.no_admin)
        out = {}
        for page in pages:
            if page.name in BULK_EXPORTS and not args.with_exports:
                continue
            for role, c in clients.items():
                if role == "clerk" and page.name.startswith("admin:"):
                    continue  # clerks have no admin access (deals/views/access.py); one check is enough
                times, queries, slowest, status = [], 0, (0.0, ""), 0
                for _ in range(runs):
                    if connection.queries_limit < 1_000_000:  # Django keeps 9,000: count them all
                        connection.queries_limit = 1_000_000
                        connection.queries_log = deque(maxlen=connection.queries_limit)
                    connection.queries_log.clear()
                    with CaptureQueriesContext(connection) as ctx:
                        t = time.perf_counter()
                        r = c.get(page.url)
                        if getattr(r, "streaming", False):
                            b"".join(r.streaming_content)
                        times.append((time.perf_counter() - t) * 1000)
                    status = r.status_code
                    queries = len(ctx.captured_queries)
                    q = max(ctx.captured_queries, key=lambda x: float(x["time"]), default=None)
                    if q and float(q["time"]) * 1000 >= slowest[0]:
                        slowest = (float(q["time"]) * 1000, " ".join(q["sql"].split())[:90])
                    if status != 200 or times[0] > SLOW_MS:
                        break  # a refusal, or a page this slow: one load says enough (marked * in the table)
                if status == 405:
                    break  # POST-only: not a page
                out[(page.name, role)] = {"url": page.url, "status": status, "ms": statistics.median(times), "loads": len(times),
                                          "queries": queries, "slowest_ms": slowest[0], "slowest_sql": slowest[1]}
        form = clients["clerk"].get("/conversions/new/")
        kb = len(form.content) / 1024
        print(f"[{label}] {len(out)} page/role pairs measured; not measured for want of a row: {', '.join(missing) or 'none'}; "
              f"no id rule in deals/demo_pages.py: {', '.join(unmapped_names(admin=not args.no_admin)) or 'none'}", flush=True)
        return out, kb

    use_database(demo_db, migrate=True)
    grow_demo(PRESETS["tiny"], seed=17, log=lambda *a: None)
    small, small_kb = walk("demo", args.runs)
    sizes = {"small": ["small"], "b": ["b"], "c": ["b", "c"]}[args.size]
    big, big_kb, grow_s = {}, 0.0, {}
    use_database(big_db, migrate=not args.reuse)
    for s in sizes:
        if args.reuse:
            print(f"reusing {big_db}: " + ", ".join(f"{k} {v:,}" for k, v in _counts().items()), flush=True)
            big, big_kb = walk(s, args.runs)
            break
        t = time.perf_counter()
        result = grow_demo(PRESETS[s], seed=17, log=lambda *a: None)
        grow_s[s] = time.perf_counter() - t
        counts = ", ".join(f"{k} {v:,}" for k, v in result["counts"].items())
        print(f"grown to ({s}) in {grow_s[s]:.0f} s: {counts}; sweep {result['timings']['sweep']:.1f} s", flush=True)
        big, big_kb = walk(s, args.runs)
    top = sizes[-1]

    print()
    print(f"{'page':58} {'role':5} {'st':>3} {'demo ms':>8} {'q':>4} {f'({top}) ms':>9} {'q':>4}  slowest query ({top})")
    worst = (0.0, "")
    over, not_flat, measured = [], [], set()
    for key in sorted(big, key=lambda k: -big[k]["ms"]):
        name, role = key
        b = big[key]
        s = small.get(key)
        flag = ""
        if b["status"] == 200:
            measured.add(name)
            if b["ms"] > worst[0]:
                worst = (b["ms"], f"{name}[{role}]")
            if b["ms"] > 300:
                over.append(key)
            if s and s["status"] == 200 and s["queries"] != b["queries"]:
                not_flat.append(key)
                flag = " NOT FLAT"
        sm = f"{s['ms']:8.0f} {s['queries']:4d}" if s else f"{'-':>8} {'-':>4}"
        star = "*" if b["status"] == 200 and b["loads"] < args.runs else " "
        print(f"{name[:58]:58} {role:5} {b['status']:3d} {sm} {b['ms']:8.0f}{star} {b['queries']:4d}  "
              f"{b['slowest_ms']:.0f} ms {b['slowest_sql']}{flag}")
    print()
    print(f"conversion form (/conversions/new/, clerk): {small_kb:.0f} KB at demo, {big_kb:.0f} KB at ({top})")
    print(f"pages over 300 ms at ({top}): " + (", ".join(f"{n}[{r}]" for n, r in over) or "none"))
    print("queries not flat: " + (", ".join(f"{n}[{r}] {small[(n, r)]['queries']}->{big[(n, r)]['queries']}"
                                               for n, r in not_flat) or "none"))
    print(
        f"pages={len(measured)} worst_ms={worst[0]:.0f} worst_page={worst[1]} pages_over_300ms={len(over)} "
        f"queries_not_flat={len(not_flat)} form_kb={big_kb:.0f} size={top} "
        + " ".join(f"grow_{k}_s={v:.0f}" for k, v in grow_s.items())
        + f" total_s={time.perf_counter() - t0:.0f}"
    )


def _pending_approval(admin) -> None:
    """One pending approval, so /approvals/<pk>/ (and its API twin) are measured: grow_demo makes
    none. A one-cent waiver of an open amount owed, asked through the real service (it waits for
    a second deal admin; nothing is settled). Skipped if an approval exists or no row can be waived."""
    from deals import models as m
    from deals.selectors.settlements import MONEY_KINDS, UNSETTLED, arose_on
    from deals.services.approvals import settlement_submit
    from deals.services.calendar import business_date
    from deals.services.errors import WorkflowError

    if m.Approval.objects.exists():
        return
    day = business_date()
    open_rows = m.Obligation.objects.filter(status__in=UNSETTLED, amount__gt=0)
    candidates = [ob for kind in sorted(MONEY_KINDS) for ob in open_rows.filter(kind=kind).order_by("-pk")[:5]]
    for ob in candidates:
        if arose_on(ob) > day:
            continue  # owed after the business date (e.g. at maturity): nothing to waive yet
        try:
            settlement_submit(obligation_id=ob.pk, kind="waiver", date=day, amount="0.01", by=admin,
                              waived_by="bench/pages.py", instrument="bench row (synthetic): a pending approval to measure")
            return
        except WorkflowError:
            continue


def _counts() -> dict:
    from deals import models as m

    return {"conversions": m.Conversion.objects.count(), "obligations": m.Obligation.objects.count(),
            "investors": m.Investor.objects.count()}


if __name__ == "__main__":
    main()
