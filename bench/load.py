"""Concurrent clerks through the real HTTP flow, on gunicorn and PostgreSQL (issue 17).

Uses its own database ``<name of DATABASE_URL>_bench_load`` on the server of DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/h_gen): dropped, migrated and grown to ``--size`` (default b,
``manage.py grow_demo``) unless ``--reuse`` finds it already grown. Then, for each mode and each
number of clerks (default 1, 5, 20):

- ``inline``: no REDIS_URL -- notices render inside the request (the embedded default);
- ``worker``: REDIS_URL (``--redis``, default redis://127.0.0.1:6379/3, flushed first) and one
  Celery worker (``--worker-concurrency``, default 2) at the CPU priority ``scripts/serve.sh``
  gives it on a shared machine (``--worker-nice``, default 10): the confirm queues the notice and
  the worker renders it on the same two cores while the clerks work, in the time they leave;
- ``queued``: REDIS_URL as for ``worker``, but the worker starts only when the clerks are done
  (the web tier alone, as with the worker on its own machine -- docs/architecture.md, scaling
  out); then the drain is measured as in ``worker`` mode;

it starts gunicorn (``--gunicorn-workers``, default 4, DEBUG off) on a free port of 127.0.0.1 and
runs N threads, each a clerk with its own session: log in (GET the login page for the CSRF token,
POST the credentials), then ``--per-clerk`` times: GET /conversions/new/ (token + idempotency
key), POST it with the debenture's number typed in the instrument field, e.g. ``DG-0000123`` (the
review page), POST /conversions/confirm/ (the conversion detail). Each clerk
converts $1,000 of its own debentures on the business date (Debenture 4(A)). A flow is the three
requests; it is an error unless the confirm lands on /conversions/<id>/ (status 200). Traffic goes
to 127.0.0.1 only.

Per run: conversions/s (completed flows / wall time from the first form to the last confirm),
p50 / p95 flow seconds, errors; in worker mode also how many of the run's notices were rendered
within ``--drain`` seconds after the last confirm. Last line (the largest number of clerks, the
worker mode if run, as the issue quotes it):

    clerks=20 conversions_per_s=… p95_flow_s=… errors=… mode=…

    nice -n 10 .venv/bin/python bench/load.py [--clerks 1,5,20] [--modes inline,worker,queued] [--reuse]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
PASSWORD = "bench-load-password-1"  # local bench users only
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY_RE = re.compile(r'name="idempotency_key" value="([^"]+)"')


def _database(reuse: bool, db_name: str = "") -> tuple[str, bool]:
    """(url, exists already) of the bench database; dropped and re-created unless reused."""
    import psycopg

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/h_gen")
    parsed = urlparse(base)
    if not parsed.scheme.startswith("postgres"):
        sys.exit("bench/load.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    name = db_name or f"{parsed.path.lstrip('/') or 'bench'}_bench_load"
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        if not (reuse and exists):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
            exists = False
    return urlunparse(parsed._replace(path=f"/{name}")), exists


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Clerk:
    """One browser: its own cookie jar; CSRF token read from each form, sent back with a Referer."""

    def __init__(self, base: str, username: str):
        self.base = base
        self.username = username
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str):
        with self.opener.open(self.base + path, timeout=120) as r:
            return r.status, r.geturl(), r.read().decode()

    def post(self, path: str, data: dict, referer: str):
        req = urllib.request.Request(self.base + path, data=urllib.parse.urlencode(data).encode(),
                                     headers={"Referer": self.base + referer})
        try:
            with self.opener.open(req, timeout=120) as r:
                return r.status, r.geturl(), r.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.geturl(), err.read().decode(errors="replace")

    def login(self) -> None:
        _, _, html = self.get("/accounts/login/")
        token = CSRF_RE.search(html).group(1)
        status, url, _ = self.post("/accounts/login/", {"username": self.username, "password": PASSWORD,
                                                       "csrfmiddlewaretoken": token}, "/accounts/login/")
        if "/accounts/login/" in url:
            raise RuntimeError(f"login of {self.username} failed ({status})")

    def convert(self, instrument: str, day: str) -> tuple[bool, str]:
        _, _, html = self.get("/conversions/new/")
        token, key = CSRF_RE.search(html).group(1), KEY_RE.search(html).group(1)
        form = {"instrument": instrument, "amount": "1000.00", "conversion_date": day, "notice_method": "facsimile",
                "notice_received_date": day, "interest_election": "cash", "reference": "bench/load.py",
                "idempotency_key": key, "csrfmiddlewaretoken": token}
        status, _, review = self.post("/conversions/new/", form, "/conversions/new/")
        if status != 200 or 'action="/conversions/confirm/"' not in review:
            return False, f"review {status}: {_error(review)}"
        m = CSRF_RE.search(review)
        form["csrfmiddlewaretoken"] = m.group(1) if m else token
        status, url, page = self.post("/conversions/confirm/", form, "/conversions/new/")
        if status != 200 or not re.search(r"/conversions/\d+/$", urlparse(url).path):
            return False, f"confirm {status} at {url}: {_error(page)}"
        return True, url


def _error(html: str) -> str:
    m = re.search(r'class="[^"]*(?:invalid-feedback|alert-danger)[^"]*"[^>]*>(.*?)</', html, re.S)
    return " ".join(m.group(1).split())[:200] if m else html[:120].replace("\n", " ")


def _django(db_url: str):
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhtc.settings")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def _prepare(db_url: str, exists: bool, size: str, clerks: int, per_clerk: int) -> tuple[list[str], dict[str, list[str]], str]:
    """Grow the data if new; bench users clerk-1..N; each clerk's debentures, by the number a clerk
    types in the instrument field (``DG-0000123``; deals/forms/instruments.py). Returns (users, numbers, day)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from deals import models as m
    from deals.demo_grow import PRESETS, grow_demo
    from deals.selectors.instruments import instrument_number
    from deals.services.calendar import business_date
    from deals.services.roles import CLERK, ensure_groups

    if not exists:
        call_command("migrate", verbosity=0)
        t = time.perf_counter()
        result = grow_demo(PRESETS[size], seed=17, log=lambda *a: None)
        counts = ", ".join(f"{k} {v:,}" for k, v in result["counts"].items())
        print(f"grown to ({size}) in {time.perf_counter() - t:.0f} s: {counts}", flush=True)
    ensure_groups()
    User = get_user_model()
    group = Group.objects.get(name=CLERK)
    users = []
    for i in range(1, clerks + 1):
        u, _ = User.objects.get_or_create(username=f"bench-clerk-{i}")
        u.set_password(PASSWORD)
        u.is_active = True
        u.save()
        u.groups.add(group)
        users.append(u.username)
    debs = list(m.Debenture.objects.filter(number__startswith="DG-", status="outstanding", principal_outstanding__gte=1000)
                .order_by("-principal_outstanding", "id")[: clerks * per_clerk])
    keys = {u: [instrument_number(d) for d in debs[i::clerks]] for i, u in enumerate(users)}
    return users, keys, business_date().isoformat()


def _start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _wait_up(base: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited at start; see its log")
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=5).read()
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer within a minute")


def run_level(base: str, users: list[str], keys: dict, day: str, n: int, per_clerk: int) -> dict:
    flows, errors, lock = [], [], threading.Lock()
    clerks = [Clerk(base, u) for u in users[:n]]
    for c in clerks:
        c.login()
    barrier = threading.Barrier(n)
    urls: list[str] = []

    def work(c: Clerk):
        barrier.wait()
        for inst in keys[c.username][:per_clerk]:
            t = time.perf_counter()
            try:
                ok, info = c.convert(inst, day)
            except Exception as err:  # a refused connection or a timeout is an error of the run, not of the bench
                ok, info = False, f"{type(err).__name__}: {err}"
            with lock:
                (flows if ok else errors).append((time.perf_counter() - t, info))
                if ok:
                    urls.append(info)

    threads = [threading.Thread(target=work, args=(c,)) for c in clerks]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    times = sorted(f for f, _ in flows)
    p95 = times[min(len(times) - 1, max(0, int(round(0.95 * len(times) + 0.5)) - 1))] if times else 0.0
    return {"clerks": n, "done": len(flows), "errors": len(errors), "wall": wall, "per_s": len(flows) / wall if wall else 0,
            "p50": statistics.median(times) if times else 0.0, "p95": p95, "error_samples": [e for _, e in errors[:3]],
            "conversion_ids": [int(u.rstrip("/").rsplit("/", 1)[1]) for u in urls]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clerks", default="1,5,20")
    ap.add_argument("--modes", default="inline,worker")
    ap.add_argument("--per-clerk", type=int, default=3, help="Conversions per clerk per run.")
    ap.add_argument("--size", default="b", help="grow_demo preset for a new database (tiny, small, b, c).")
    ap.add_argument("--reuse", action="store_true", help="Reuse the bench database if it exists (skip growing).")
    ap.add_argument("--db-name", default="", help="Bench database name (e.g. the one bench/pages.py left grown, with --reuse).")
    ap.add_argument("--redis", default=os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/3"))
    ap.add_argument("--gunicorn-workers", type=int, default=4)
    ap.add_argument("--worker-concurrency", type=int, default=2)
    ap.add_argument("--worker-nice", type=int, default=int(os.environ.get("WORKER_NICE", "10")),
                    help="Worker mode: the worker's niceness, as scripts/serve.sh starts it (0: the web's priority).")
    ap.add_argument("--drain", type=float, default=120, help="Worker mode: seconds to wait for the notices after the run.")
    args = ap.parse_args()
    levels = [int(x) for x in args.clerks.split(",")]
    modes = [x for x in args.modes.split(",") if x]
    runs_needed = len(levels) * len(modes)

    db_url, exists = _database(args.reuse, args.db_name)
    _django(db_url)
    users, keys, day = _prepare(db_url, exists, args.size, max(levels), args.per_clerk * runs_needed)
    from notices.models import Notice

    logs = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-load-{os.getpid()}"
    logs.mkdir(parents=True, exist_ok=True)
    results, used = [], {u: 0 for u in users}
    for mode in modes:
        env = {**os.environ, "DATABASE_URL": db_url, "DEBUG": "false", "DJANGO_SETTINGS_MODULE": "nhtc.settings",
               "MEDIA_ROOT": str(logs / "media")}
        env.pop("REDIS_URL", None)
        worker = None
        worker_cmd = ["nice", "-n", str(args.worker_nice), str(VENV_BIN / "celery"), "-A", "nhtc", "worker",
                      "-c", str(args.worker_concurrency), "-l", "warning",
                      "--without-gossip", "--without-mingle", "-n", f"bench-load-{os.getpid()}@%h"]
        if mode in ("worker", "queued"):
            import redis

            redis.Redis.from_url(args.redis).flushdb()  # our own db number: no message of an earlier run is left
            env["REDIS_URL"] = args.redis
        if mode == "worker":
            worker = _start(worker_cmd, env, logs / "worker.log")
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = _start([str(VENV_BIN / "gunicorn"), "nhtc.wsgi", "--bind", f"127.0.0.1:{port}", "--workers",
                         str(args.gunicorn_workers), "--timeout", "300"], env, logs / f"gunicorn-{mode}.log")
        try:
            _wait_up(base, server)
            for n in levels:
                slice_keys = {u: keys[u][used[u]: used[u] + args.per_clerk] for u in users[:n]}
                for u in users[:n]:
                    used[u] += args.per_clerk
                r = run_level(base, users, slice_keys, day, n, args.per_clerk)
                r["mode"] = mode
                if mode in ("worker", "queued") and r["conversion_ids"]:
                    ids = r["conversion_ids"]
                    drainer = _start(worker_cmd, env, logs / f"worker-{n}.log") if mode == "queued" else None
                    try:
                        end = time.monotonic() + args.drain
                        t = time.perf_counter()
                        while time.monotonic() < end:
                            ready = Notice.objects.filter(kind="conversion", object_id__in=ids, status="ready").count()
                            if ready == len(ids):
                                break
                            time.sleep(0.5)
                        r["notices_ready"] = Notice.objects.filter(kind="conversion", object_id__in=ids, status="ready").count()
                        r["drain_s"] = time.perf_counter() - t
                    finally:
                        if drainer is not None:
                            _stop(drainer)
                results.append(r)
                extra = f", notices ready {r['notices_ready']}/{r['done']} {r['drain_s']:.1f} s after" if "notices_ready" in r else ""
                print(f"{mode:6} clerks={n:3d}: {r['done']} conversions in {r['wall']:.1f} s = {r['per_s']:.2f}/s, "
                      f"flow p50 {r['p50']:.2f} s p95 {r['p95']:.2f} s, errors {r['errors']}{extra}"
                      + (f"; e.g. {r['error_samples']}" if r["errors"] else ""), flush=True)
        finally:
            _stop(server)
            if worker is not None:
                _stop(worker)
    last = [r for r in results if r["clerks"] == max(levels)]
    last = ([r for r in last if r["mode"] == "worker"] or last)[-1]  # the headline: the worker on the same cores
    print(
        f"clerks={last['clerks']} conversions_per_s={last['per_s']:.2f} p95_flow_s={last['p95']:.2f} errors={last['errors']} "
        f"mode={last['mode']} p50_flow_s={last['p50']:.2f} gunicorn_workers={args.gunicorn_workers} "
        + " ".join(f"{r['mode']}_{r['clerks']}_per_s={r['per_s']:.2f} {r['mode']}_{r['clerks']}_p95_s={r['p95']:.2f}" for r in results)
    )


if __name__ == "__main__":
    main()
