"""Debenture conversion quotes per second, in process (Debenture 4(A) quote with look-back,
eligibility, interest, cap, reserve and delivery-date calendar work).

Builds a synthetic closing-bid mapping for 1999-2006, then quotes conversions on
varying dates for about 2.5 seconds. The last line printed is name=value pairs.

    .venv/bin/python bench/terms_quote.py [seconds]
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deals.terms.calendars import trading_days_between  # noqa: E402
from deals.terms.conversion import PaymentForm, quote_debenture_conversion  # noqa: E402
from deals.terms.params import NHTC_DEFAULTS  # noqa: E402


def main(seconds: float = 2.5) -> None:
    terms = NHTC_DEFAULTS
    prices = {
        d: Decimal("1.00") + Decimal((i * 37) % 107) / 100
        for i, d in enumerate(trading_days_between(date(1999, 6, 1), date(2006, 12, 29)))
    }
    closing = date(2000, 1, 31)
    principal = Decimal("1300000")
    # conversion dates from day 120 after Closing over ~4 years, every calendar day (weekends too)
    dates = [closing + timedelta(days=120 + i) for i in range(1500)]
    amounts = [Decimal(10000 * (1 + i % 50)) for i in range(97)]
    payments = (PaymentForm.CASH, PaymentForm.SHARES)

    batch = 200
    samples: list[float] = []
    n = 0
    i = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        t0 = time.perf_counter()
        for _ in range(batch):
            quote_debenture_conversion(
                terms=terms,
                amount=amounts[i % 97],
                conversion_date=dates[i % 1500],
                principal=principal,
                closing_date=closing,
                prices=prices,
                interest_payment=payments[i & 1],
                cap_shares_issued=(i * 7919) % 1_600_000,
                issued_shares=7_860_000,
            )
            i += 1
        t1 = time.perf_counter()
        samples.append((t1 - t0) / batch)
        n += batch
        if t1 >= deadline:
            break
    elapsed = time.perf_counter() - start
    per_s = n / elapsed
    median_us = statistics.median(samples) * 1e6
    print(f"quotes={n} elapsed_s={elapsed:.2f}")
    print(f"quotes_per_s={per_s:.0f} median_us={median_us:.1f}")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 2.5)
