"""Notice rendering speed.

Compares, in one process:
- render: the app rendering a Notice of Conversion (Debenture Exhibit A + computation appendix)
  through ``notices.services.notice_render`` -- load the record, build the context, render the
  template, WeasyPrint with the shared fonts and stylesheet, SHA-256, store the file, update the
  row -- against
- bare: plain ``weasyprint.HTML(string=...).write_pdf()`` of the very same HTML (the print
  stylesheet inlined), i.e. what a naive implementation pays per document;
- download: fetching an already-stored notice through the permission-checked download view
  (Django test client), against the render time.

Targets: render_ratio <= 1.2, download_ratio <= 0.05. Uses its own throwaway SQLite database
and MEDIA_ROOT. Run: ``.venv/bin/python bench/notice_render.py [--rounds N]``.
The last line prints name=value pairs.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="notice-bench-"))
os.environ["DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
os.environ["MEDIA_ROOT"] = str(TMP / "media")
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhtc.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402


def setup_db() -> None:
    """Tables straight from the models (like the test suite's --nomigrations)."""
    from django.apps import apps

    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0)


def make_conversion(user, terms_version, n: int):
    from deals import models as m
    from deals.terms import calendars
    from deals.terms.conversion import quote_debenture_conversion
    from deals.terms.params import NHTC_DEFAULTS
    from tests import factories as f

    day = datetime.date(2000, 5, 15)
    debenture = f.DebentureFactory(number=f"D-{100 + n}")
    days = calendars.trading_days_between(datetime.date(2000, 3, 1), day)
    prices = {d: Decimal("1.2500") + Decimal("0.0125") * (i % 7) for i, d in enumerate(days)}
    quote = quote_debenture_conversion(
        terms=NHTC_DEFAULTS, amount=Decimal("50000"), conversion_date=day, principal=debenture.principal,
        closing_date=debenture.closing_date, prices=prices,
    )  # fmt: skip
    return m.Conversion.objects.create(
        debenture=debenture, investor=debenture.investor, terms_version=terms_version, amount=Decimal("50000"),
        conversion_date=day, notice_method=m.NoticeMethod.FACSIMILE, notice_received_date=day,
        conversion_price=quote.applied_price, shares_for_amount=quote.shares, interest_amount=quote.accrual.amount,
        shares_issuable=quote.total_shares, delivery_date=quote.delivery_date, original_due_date=quote.original_notice_due,
        snapshot=quote.as_dict(), idempotency_key=uuid.uuid4().hex, created_by=user,
    )  # fmt: skip


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    setup_db()
    import weasyprint
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client
    from django.urls import reverse

    from deals.services.roles import CLERK, ensure_groups
    from notices import rendering, services
    from notices.models import Notice
    from tests import factories as f

    ensure_groups()
    user = get_user_model().objects.create_user("bench-clerk", password="x")
    user.groups.add(Group.objects.get(name=CLERK))
    terms_version = f.DealTermsVersionFactory()

    def new_notice(n: int) -> Notice:
        conversion = make_conversion(user, terms_version, n)
        # The request without its after-commit render: the bench times the render itself.
        queue, services._queue_render = services._queue_render, lambda notice, user=None: None
        try:
            return services.notice_request(record=conversion, kind="conversion", user=user)
        finally:
            services._queue_render = queue

    # Warm-up: first render builds fonts + stylesheet and imports; not what a user waits for twice.
    warm = new_notice(0)
    services.notice_render(notice_id=warm.pk, user=user)

    # The exact HTML the app renders, with the stylesheet inlined for the bare run.
    sample = new_notice(1)
    spec_html = _app_html(sample)
    bare_html = spec_html.replace("</head>", f"<style>{rendering.print_css_text()}</style></head>", 1)
    weasyprint.HTML(string=bare_html).write_pdf()  # warm-up

    render, bare = [], []
    notices = [new_notice(10 + i) for i in range(args.rounds)]
    for notice in notices:  # interleaved so drift affects both alike
        t = time.perf_counter()
        done = services.notice_render(notice_id=notice.pk, user=user)
        render.append(time.perf_counter() - t)
        assert done.status == "ready", done.error
        t = time.perf_counter()
        weasyprint.HTML(string=bare_html).write_pdf()
        bare.append(time.perf_counter() - t)

    client = Client()
    client.force_login(user)
    target = notices[0]
    url = reverse("notices:download", args=[target.pk])
    download = []
    for _ in range(max(args.rounds * 2, 30)):
        t = time.perf_counter()
        response = client.get(url)
        body = b"".join(response.streaming_content)
        download.append(time.perf_counter() - t)
        assert response.status_code == 200 and len(body) == target.size if target.size else True

    render_ms, bare_ms, download_ms = median_ms(render), median_ms(bare), median_ms(download)
    target.refresh_from_db()
    print(f"rounds={args.rounds} pdf_bytes={target.size} pages=2 weasyprint={weasyprint.__version__}")
    print(f"render (app, notice_render service incl. hash+store): median {render_ms:.1f} ms, min {min(render) * 1000:.1f} ms")
    print(f"bare WeasyPrint, same HTML, stylesheet inlined:        median {bare_ms:.1f} ms, min {min(bare) * 1000:.1f} ms")
    print(f"download through the view (test client):              median {download_ms:.2f} ms")
    print(
        f"render_ms={render_ms:.1f} bare_ms={bare_ms:.1f} render_ratio={render_ms / bare_ms:.3f} "
        f"download_ms={download_ms:.2f} download_ratio={download_ms / render_ms:.4f}"
    )


def _app_html(notice) -> str:
    from notices import rendering
    from notices.kinds import spec_for

    spec = spec_for(notice.kind)
    record = spec.load(notice.object_id)
    context = spec.build_context(record)
    context["notice"] = notice
    context["template_version"] = f"{notice.kind}.v{spec.version}+{rendering.template_fingerprint(spec.template(record))}"
    return rendering.render_html(spec.template(record), context)


if __name__ == "__main__":
    main()
