"""Issue 17: ``damages_overview`` reads the conversions set-based (aggregates over four columns,
no model instances with their snapshots). On random deals its figures must equal, to the cent,
those of the model-walking implementation it replaced (kept here as the reference), and its
query count must not grow with the conversions or the investors."""

import datetime
import random
import uuid
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.models import Conversion, ConversionStatus, DealTermsVersion, RegistrationAmendment, RegistrationStatement, ShareSale
from deals.models import SuspensionPeriod as Suspension
from deals.services.company import liquidated_damages as svc
from deals.services.company._common import buyers, primary_statement, registration_terms
from deals.terms import registration as reg
from deals.terms.errors import TermsError
from tests import factories as fx

from .conftest import CLOSING, _user

D = datetime.date
ZERO = Decimal(0)


# --- the reference: the implementation before issue 17 (every conversion as a model) ----------


def _reference_held(trigger, conversions, sales, terms):
    window_first = trigger - datetime.timedelta(days=terms.held_shares_lookback_days)
    before = [c for c in conversions if c.conversion_date < trigger]
    sold = sum(s.shares for s in sales if s.sale_date < trigger)
    pre_window = sum(c.shares_issuable for c in before if c.conversion_date < window_first)
    window = [c for c in before if c.conversion_date >= window_first]
    window_shares = sum(c.shares_issuable for c in window)
    window_sold = min(max(0, sold - pre_window), window_shares)
    return reg.held_shares_value(
        restricted_sale_date=trigger,
        conversions=[reg.Conversion(c.conversion_date, c.amount, c.shares_issuable) for c in window if c.shares_issuable],
        shares_sold=window_sold,
        terms=terms,
    )


def _reference(financing, as_of):
    terms = registration_terms(financing=financing, day=as_of)
    statement = primary_statement(financing)
    effective = statement.effective_date if statement else None
    found = svc.triggers(financing=financing, as_of=as_of)
    conv_by, sales_by = defaultdict(list), defaultdict(list)
    for c in (Conversion.objects.filter(preferred__financing=financing)
              .exclude(status__in=[ConversionStatus.REVOKED, ConversionStatus.DISHONOURED]).order_by("conversion_date", "id")):
        conv_by[c.investor_id].append(c)
    for s in ShareSale.objects.filter(financing=financing).order_by("sale_date", "id"):
        sales_by[s.investor_id].append(s)
    out = {}
    for inv, _lp, outstanding, price in buyers(financing):
        convs = conv_by[inv.pk]
        per = []
        for t in found:
            try:
                unconverted = outstanding + sum((c.amount for c in convs if c.conversion_date >= t.trigger_date), ZERO)
                held = None
                if t.lateness == svc.Lateness.RESTRICTED_SALE_DATE and effective and t.trigger_date > effective:
                    held = _reference_held(t.trigger_date, convs, sales_by[inv.pk], terms)
                base = reg.periodic_base(purchase_price=price, trigger_date=t.trigger_date, effective_date=effective,
                                         unconverted_principal=unconverted, held_shares=held)
                amounts = reg.periodic_amounts(kind=svc._ENGINE_KIND[t.lateness], trigger_date=t.trigger_date, base=base.amount,
                                               cured_on=t.cured_on, as_of=as_of, terms=terms)
            except TermsError as err:
                per.append(("error", str(err)))
                continue
            per.append((base.as_dict(), amounts.as_dict()))
        out[inv.pk] = per
    return out


def _figures(overview):
    return {
        d.investor.pk: [("error", s.error) if s.amounts is None else (s.base.as_dict(), s.amounts.as_dict()) for s in d.schedules]
        for d in overview
    }


def _first_difference(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if a.get(k) != b.get(k):
                return _first_difference(a.get(k), b.get(k), f"{path}/{k}")
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{path}/{i}")
    return path, a, b


# --- random deals ----------------------------------------------------------------------------


def _random_deal(rng: random.Random, n_investors: int, n_conversions: int):
    fin = fx.SeriesJFinancingFactory(name="Series J", initial_closing_date=CLOSING)
    version = DealTermsVersion.objects.filter(financing=fin).order_by("version").first()
    user = _user()
    holdings = [
        fx.PreferredHoldingFactory(financing=fin, shares=rng.choice([100, 400, 600, 1000]), closing_date=CLOSING)
        for _ in range(n_investors)
    ]
    effective = CLOSING + datetime.timedelta(days=rng.choice([60, 95, 120]))
    statement = RegistrationStatement.objects.create(financing=fin, filed_date=D(2000, 3, 20), effective_date=effective,
                                                     shares_registered=2_000_000)
    # a later Required Effective Date missed (RRA 2(b)(i)(B)): a post-effective trigger, base = unconverted + held
    due = effective + datetime.timedelta(days=rng.randint(20, 60))
    RegistrationAmendment.objects.create(statement=statement, increased_registered_shares_date=effective + datetime.timedelta(days=5),
                                         effective_date=rng.choice([None, due + datetime.timedelta(days=rng.randint(1, 50))]),
                                         snapshot={"required_effective_date": due.isoformat()})
    # two Restricted Sale Dates (RRA 2(b)(ii)): Held Shares Value windows, one cured, one not
    for _ in range(2):
        first = effective + datetime.timedelta(days=rng.randint(10, 150))
        last = first + datetime.timedelta(days=rng.randint(0, 40))
        Suspension.objects.create(statement=statement, notice_date=first, start_date=first, end_date=last,
                                  verdict={"restricted_spans": [[first.isoformat(), last.isoformat()]]})
    statuses = [ConversionStatus.DELIVERED] * 6 + [ConversionStatus.PENDING_DELIVERY] * 2 + [
        ConversionStatus.REVOKED, ConversionStatus.DISHONOURED]
    received = defaultdict(int)
    for i in range(n_conversions):
        h = rng.choice(holdings)
        on = CLOSING + datetime.timedelta(days=rng.randint(1, 260))
        shares = rng.randint(1, 90_000)
        status = rng.choice(statuses)
        Conversion.objects.create(
            preferred=h, investor=h.investor, terms_version=version, amount=Decimal(rng.randint(100, 50_000_00)) / 100,
            conversion_date=on, notice_method="facsimile", notice_received_date=on, conversion_price=Decimal("2.0000"),
            shares_for_amount=shares, shares_issuable=shares, delivery_date=on, status=status, snapshot={"n": i},
            idempotency_key=uuid.uuid4().hex, created_by=user,
        )
        if status in (ConversionStatus.DELIVERED, ConversionStatus.PENDING_DELIVERY):
            received[h.investor_id] += shares
    for h in holdings:  # sales, some of them more than a window holds (the engine's refusal is compared too)
        for _ in range(rng.randint(0, 3)):
            if received[h.investor_id]:
                ShareSale.objects.create(investor=h.investor, financing=fin, shares=rng.randint(1, received[h.investor_id]),
                                         sale_date=CLOSING + datetime.timedelta(days=rng.randint(30, 300)))
    return fin


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(6))
def test_set_based_figures_equal_the_model_walk_to_the_cent(deal, seed):
    rng = random.Random(seed)
    fin = _random_deal(rng, n_investors=rng.randint(2, 6), n_conversions=rng.randint(10, 60))
    schedules = 0
    for as_of in (D(2000, 6, 4), D(2000, 9, 1), D(2000, 12, 29), D(2001, 3, 1)):
        new = _figures(svc.damages_overview(financing=fin, as_of=as_of))
        old = _reference(fin, as_of)
        assert new == old, (seed, as_of, _first_difference(new, old))
        schedules += sum(len(per) for per in new.values())
    assert schedules >= 3  # the deal has latenesses: the comparison is not vacuous


@pytest.mark.django_db
def test_held_shares_value_is_compared_with_sales_and_windows(deal):
    """The random deals reach the Held Shares Value path (RRA 2(b)(iii)), not only the Purchase Price base."""
    rng = random.Random(3)
    fin = _random_deal(rng, n_investors=4, n_conversions=60)
    overview = svc.damages_overview(financing=fin, as_of=D(2001, 3, 1))
    held = [s.base.held_shares_value for d in overview for s in d.schedules if s.base and s.base.held_shares_value]
    assert held and any(h.lines for h in held)


@pytest.mark.django_db
def test_a_page_of_investors_gives_the_same_figures_as_all(deal):
    rng = random.Random(11)
    fin = _random_deal(rng, n_investors=6, n_conversions=40)
    as_of = D(2000, 12, 29)
    everyone = _figures(svc.damages_overview(financing=fin, as_of=as_of))
    ids = [h[0].pk for h in buyers(fin)][2:4]
    page = svc.damages_overview(financing=fin, as_of=as_of, investor_ids=ids)
    assert [d.investor.pk for d in page] == ids
    assert _figures(page) == {pk: everyone[pk] for pk in ids}


@pytest.mark.django_db
def test_queries_do_not_grow_with_conversions_or_investors(deal):
    rng = random.Random(5)
    small = _random_deal(rng, n_investors=2, n_conversions=5)
    with CaptureQueriesContext(connection) as few:
        svc.damages_overview(financing=small, as_of=D(2000, 12, 29))
    big = _random_deal(random.Random(5), n_investors=12, n_conversions=150)
    with CaptureQueriesContext(connection) as many:
        svc.damages_overview(financing=big, as_of=D(2000, 12, 29))
    assert len(many) == len(few)
    sql = " ".join(q["sql"] for q in many.captured_queries if "deals_conversion" in q["sql"])
    assert '"snapshot"' not in sql.replace('"deals_registrationamendment"."snapshot"', "")  # never the conversions' JSON


@pytest.mark.django_db
def test_the_damages_page_pages_its_investors_with_flat_queries(deal, clerk_client):
    from django.urls import reverse

    from deals.services.calendar import business_date_set

    fin = _random_deal(random.Random(7), n_investors=3, n_conversions=20)
    business_date_set(day=D(2000, 12, 29))
    url = reverse("company_damages", args=[fin.pk])
    with CaptureQueriesContext(connection) as few:
        r = clerk_client.get(url)
    assert r.status_code == 200 and len(r.context["overview"]) == 3
    for _ in range(27):  # 30 holders: two pages of 25
        fx.PreferredHoldingFactory(financing=fin, shares=100, closing_date=CLOSING)
    with CaptureQueriesContext(connection) as many:
        r = clerk_client.get(url)
    html = r.content.decode()
    assert len(r.context["overview"]) == 25 and "Page 1 of 2 (30)" in html and "1–25 of 30" in html
    assert len(many) == len(few)
    r = clerk_client.get(url + "?page=2")
    assert [d.investor.pk for d in r.context["overview"]] == [h[0].pk for h in buyers(fin)][25:]
    r = clerk_client.get(url + "?page=99")  # past the end: the last page, never an error
    assert r.status_code == 200 and len(r.context["overview"]) == 5


@pytest.mark.django_db
def test_ledger_rows_keep_the_held_shares_totals_not_one_line_per_conversion(deal):
    """A busy 30-day window has thousands of conversions: the Periodic Amount rows keep the Held Shares
    Value's figures (total, shares sold, how many conversions) -- the schedule page shows the lines."""
    from deals.models import Obligation, ObligationKind

    rng = random.Random(3)
    fin = _random_deal(rng, n_investors=4, n_conversions=60)
    as_of = D(2001, 3, 1)
    svc.ld_obligations_sync(financing=fin, as_of=as_of)
    engine = {(d.investor.pk, s.trigger.trigger_date.strftime("%Y%m%d")): s.base.held_shares_value
              for d in svc.damages_overview(financing=fin, as_of=as_of) for s in d.schedules
              if s.base and s.base.held_shares_value}
    checked = 0
    for o in Obligation.objects.filter(kind=ObligationKind.PERIODIC_AMOUNT):
        held = (o.details.get("base") or {}).get("held_shares_value")
        if not held:
            continue
        inv, _code, trigger, _cd = o.period_key.split(":")
        h = engine[(int(inv), trigger)]
        assert "lines" not in held
        assert (held["total"], held["shares_sold"], held["conversions"]) == (str(h.total), h.shares_sold, len(h.lines))
        assert held["held_shares"] == sum(line.held_shares for line in h.lines)
        checked += 1
    assert checked
