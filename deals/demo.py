"""The demo deal: NHTC's two 2000 financings with three fictional investors.

``load_demo_deal()`` is idempotent: rows are found by natural keys (names,
certificate and debenture numbers, dates) and saved only when a value
differs, so a second run writes nothing (no history rows either). Market
prices are only ever added for missing dates; the business date is set only
when none is set (a deal admin's later choice is kept).

Dates (see docs/interpretations.md, "Demo deal dates"):

- Debentures: the form is "due March 31, 2000" (Debenture, first page), and
  conversion opens 90/120 days after the Closing (Debenture 4(A)); for both
  to make sense the Closing must be before 2000-12-01. We use a Closing of
  1999-11-22 (half convertible from 2000-02-20, all from 2000-03-21).
- Series J: the SPA is dated as of the Company's acceptance; the RRA is dated
  "as of March __, 2000". Accepted Wednesday 2000-03-01; the escrow deposit
  is due within 3 NYSE trading days (SPA 1(d), by 2000-03-06); the Closing is
  the first NYSE trading day after the conditions are met (SPA 6(a)):
  Tuesday 2000-03-07, the Initial Closing Date. Warrants are priced on the
  closing bid of 2000-03-06 (SPA 4(h)).
- Business date: Monday 2000-03-27 -- every debenture fully convertible and
  not yet matured, the Series J closed, 20+ trading days of prices behind it.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction

from deals import models as m
from deals.terms import calendars
from deals.terms.conversion import series_j_conversion_price
from deals.terms.params import NHTC_DEFAULTS
from deals.terms.registration import shares_to_register
from deals.terms.warrants import warrant_terms

D = Decimal

PRICE_SOURCE = "synthetic demo series (not market data)"
PRICE_START = datetime.date(1999, 11, 1)
PRICE_END = datetime.date(2001, 12, 31)
PRICE_SEED = 20000307
PRICE_LOW, PRICE_HIGH = D("1.5000"), D("2.5000")

TERMS_EFFECTIVE = datetime.date(1999, 1, 1)
DEBENTURE_CLOSING = datetime.date(1999, 11, 22)
DEBENTURE_MATURITY = datetime.date(2000, 3, 31)  # "6% Convertible Debenture due March 31, 2000"
SERIES_J_ACCEPTANCE = datetime.date(2000, 3, 1)
SERIES_J_CLOSING = datetime.date(2000, 3, 7)
REGISTRATION_FILED = datetime.date(2000, 3, 20)
DEMO_BUSINESS_DATE = datetime.date(2000, 3, 27)

ISSUER = {
    "name": "Natural Health Trends Corp.",
    "state_of_incorporation": "Florida",
    "address": "380 Lashley Street\nLongmont, CO 80501\nAttn: Mark Woodburn\nTelephone: (303) 682-4637",
    "fax": "(303) 682-4236",
    "counsel": (
        "Silverman, Collura & Chernis, P.C.\n381 Park Avenue South, Suite 1601\nNew York, NY 10016\n"
        "Attn: Martin C. Licht, Esq.\nTelephone: (212) 779-8600\nTelecopier: (212) 779-8858"
    ),
    "authorized_common_shares": 50_000_000,
    "shares_outstanding_at_signing": 7_860_000,
    "shares_issued": 7_860_000,
    "par_value": D("0.0010"),
}
ESCROW_AGENT = "Krieger & Prager LLP, Esqs., 39 Broadway, Suite 1440, New York, NY 10006 (Attn: Samuel Krieger, Esq.)"

# (legal name, jurisdiction, Series J shares, debenture numbers)
INVESTORS = (
    ("Fictional Alpha Fund Ltd. (demo)", "Bahamas", 400, range(1, 6)),
    ("Fictional Beta Capital S.A. (demo)", "Switzerland", 350, range(6, 11)),
    ("Fictional Gamma Partners Ltd. (demo)", "British Virgin Islands", 250, range(11, 14)),
)
DEBENTURE_PRINCIPAL = D("100000")


def synthetic_prices() -> list[tuple[datetime.date, Decimal, Decimal]]:
    """(date, closing bid, closing price) for every NYSE trading day from
    1999-11-01 to 2001-12-31: a seeded random walk in whole ten-thousandths,
    reflected to stay within $1.50-$2.50; the closing price is the bid plus
    0 to 1/16. Integers only, so it is the same on every platform."""
    rng = random.Random(PRICE_SEED)
    lo, hi = int(PRICE_LOW * 10000), int(PRICE_HIGH * 10000)
    bid = 20000
    rows = []
    for day in calendars.trading_days_between(PRICE_START, PRICE_END):
        bid += rng.randint(-400, 400)
        if bid < lo:
            bid = 2 * lo - bid
        if bid > hi:
            bid = 2 * hi - bid
        close = min(bid + rng.randint(0, 625), hi)
        rows.append((day, D(bid).scaleb(-4), D(close).scaleb(-4)))
    return rows


class _Tally:
    def __init__(self):
        self.created: dict[str, int] = {}
        self.updated: dict[str, int] = {}

    def upsert(self, model, lookup: dict, values: dict):
        """Get by ``lookup``; create with ``values`` or save only the fields that differ."""
        name = model._meta.model_name
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model.objects.create(**lookup, **values)
            self.created[name] = self.created.get(name, 0) + 1
            return obj
        changed = [k for k, v in values.items() if getattr(obj, k) != v]
        if changed:
            for k in changed:
                setattr(obj, k, values[k])
            obj.save(update_fields=changed)
            self.updated[name] = self.updated.get(name, 0) + 1
        return obj


@transaction.atomic
def load_demo_deal() -> dict:
    """Load (or complete) the NHTC demo deal. Idempotent; returns the main objects and counts."""
    t = _Tally()

    # Market prices first: the warrant and registration figures need them.
    existing = set(m.MarketPrice.objects.filter(date__range=(PRICE_START, PRICE_END)).values_list("date", flat=True))
    new_prices = [
        m.MarketPrice(date=d, closing_bid=bid, closing_price=close, source=PRICE_SOURCE)
        for d, bid, close in synthetic_prices()
        if d not in existing
    ]
    m.MarketPrice.objects.bulk_create(new_prices, batch_size=1000)
    if new_prices:
        t.created["marketprice"] = len(new_prices)
    bids = dict(m.MarketPrice.objects.filter(date__range=(PRICE_START, PRICE_END)).values_list("date", "closing_bid"))

    issuer = t.upsert(m.Issuer, {"name": ISSUER["name"]}, {k: v for k, v in ISSUER.items() if k != "name"})
    series_j = t.upsert(
        m.Financing,
        {"issuer": issuer, "kind": m.Financing.Kind.SERIES_J},
        {
            "name": "Series J Convertible Preferred + Warrants (SPA, 2000)",
            "total_offering": D("1000000.00"),
            "agreement_date": SERIES_J_ACCEPTANCE,
            "acceptance_date": SERIES_J_ACCEPTANCE,
            "initial_closing_date": SERIES_J_CLOSING,
            "escrow_agent": ESCROW_AGENT,
        },
    )
    debenture_fin = t.upsert(
        m.Financing,
        {"issuer": issuer, "kind": m.Financing.Kind.DEBENTURE},
        {
            "name": "6% Convertible Debentures due March 31, 2000",
            "total_offering": D("1300000.00"),
            "agreement_date": DEBENTURE_CLOSING,
            "acceptance_date": DEBENTURE_CLOSING,
            "initial_closing_date": DEBENTURE_CLOSING,
            "escrow_agent": ESCROW_AGENT,
        },
    )

    # Terms belong to a financing (issue 18): each financing gets its own version 1.
    terms_rows = {}
    for fin in (series_j, debenture_fin):
        row = m.DealTermsVersion.objects.filter(financing=fin, version=1).first()
        if row is None:
            row = m.DealTermsVersion.objects.create(
                financing=fin,
                version=1,
                effective_from=TERMS_EFFECTIVE,
                reason="NHTC defaults from the agreements (demo load)",
                **m.DealTermsVersion.values_from_terms(NHTC_DEFAULTS, kind=fin.terms_kind),
            )
            t.created["dealtermsversion"] = t.created.get("dealtermsversion", 0) + 1
        terms_rows[fin.kind] = row
    terms_row = terms_rows[m.Financing.Kind.SERIES_J]
    terms = terms_row.to_terms()

    investors, holdings, debentures, warrants = [], [], [], []
    total_warrant_shares = 0
    for i, (name, jurisdiction, shares, deb_numbers) in enumerate(INVESTORS, start=1):
        slug = name.split()[1].lower()
        investor = t.upsert(
            m.Investor,
            {"legal_name": name},
            {
                "kind": m.Investor.Kind.ENTITY,
                "jurisdiction": jurisdiction,
                "notice_address": f"{i} Example Quay, Suite {100 * i}\n{jurisdiction} (fictional address)",
                "fax": f"+1 (555) 010-{1000 + i}",
                "email": f"{slug}@example.invalid",
                "counsel_contact": "Krieger & Prager LLP, Esqs., 39 Broadway, Suite 1440, New York, NY 10006",
                "reg_s_non_us_attested": True,
                "reg_s_attested_on": SERIES_J_ACCEPTANCE,
                "accredited_investor": True,
                "dtc_participant": f"0{900 + i}",
                "prime_broker": f"Fictional Prime Broker {i} (demo)",
            },
        )
        investors.append(investor)
        lp = D(shares) * terms.preferred_stated_value
        holdings.append(
            t.upsert(
                m.PreferredHolding,
                {"certificate_number": f"J-{i}"},
                {
                    "financing": series_j,
                    "investor": investor,
                    "shares": shares,
                    "liquidation_preference": lp,
                    "liquidation_preference_outstanding": lp,
                    "purchase_price": lp,
                    "closing_date": SERIES_J_CLOSING,
                },
            )
        )
        wt = warrant_terms(terms=terms, purchase_price=lp, closing_date=SERIES_J_CLOSING, prices=bids)
        total_warrant_shares += wt.shares
        warrants.append(
            t.upsert(
                m.Warrant,
                {"number": f"W-{i}"},
                {
                    "financing": series_j,
                    "investor": investor,
                    "shares": wt.shares,
                    "shares_remaining": wt.shares,
                    "exercise_price": wt.exercise_price,
                    "issue_date": SERIES_J_CLOSING,
                    "expiry_date": wt.expiry,
                },
            )
        )
        for n in deb_numbers:
            debentures.append(
                t.upsert(
                    m.Debenture,
                    {"number": f"D-{n}"},
                    {
                        "financing": debenture_fin,
                        "investor": investor,
                        "principal": DEBENTURE_PRINCIPAL,
                        "principal_outstanding": DEBENTURE_PRINCIPAL,
                        "dated_date": DEBENTURE_CLOSING,
                        "issue_date": DEBENTURE_CLOSING,
                        "closing_date": DEBENTURE_CLOSING,
                        "maturity_date": DEBENTURE_MATURITY,
                    },
                )
            )

    price_at_filing = series_j_conversion_price(terms=terms, prices=bids, conversion_date=REGISTRATION_FILED)
    to_register = shares_to_register(
        liquidation_preference=series_j.total_offering,
        conversion_price=price_at_filing.applied_price,
        warrant_shares=total_warrant_shares,
        closing_date=SERIES_J_CLOSING,
        filing_date=REGISTRATION_FILED,
        terms=terms,
    )
    statement = t.upsert(
        m.RegistrationStatement,
        {"financing": series_j, "sec_file_number": "333-00000 (fictional, demo)"},
        {
            "counsel_review_sent": calendars.add_business_days(REGISTRATION_FILED, -terms.counsel_review_business_days),
            "requested_information_received": REGISTRATION_FILED - datetime.timedelta(days=14),
            "filed_date": REGISTRATION_FILED,
            "shares_registered": to_register.total,
        },
    )

    row = m.BusinessDate.objects.filter(pk=1).first()
    if row is None or row.business_date is None:
        if row is None:
            row = m.BusinessDate(pk=1)
        row.business_date = DEMO_BUSINESS_DATE
        row.save()
        t.created["businessdate"] = 1

    return {
        "issuer": issuer,
        "series_j": series_j,
        "debenture_financing": debenture_fin,
        "investors": investors,
        "holdings": holdings,
        "debentures": debentures,
        "warrants": warrants,
        "registration_statement": statement,
        "terms_version": terms_row,
        "terms_versions": terms_rows,
        "business_date": row.business_date,
        "prices": len(bids),
        "created": t.created,
        "updated": t.updated,
    }
