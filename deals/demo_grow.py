"""Grow the demo deal to a chosen size (issue 17): the data the scale benches measure.

``grow_demo()`` first loads the demo deal (``deals.demo.load_demo_deal``, idempotent), then adds
investors, debentures, Series J holdings (each with its SPA 4(h) warrant), conversions, warrant
exercises and notice records until each count reaches its target, in batches of ``BATCH`` through
the models (``bulk_create``), and finally builds the ledger with the REAL deadline sweep
(``sweep_run`` as of the business date): the obligations are whatever the app's rules make of the
records, not rows invented here.

Deterministic: the same targets and ``seed`` on the same starting data give the same rows
(one ``random.Random(seed)``, no clock-dependent values in the data; timestamps excepted).

What is synthetic, and why (scale data, not a deal):

- Conversions copy the ``snapshot`` of one real quote of the same instrument kind
  (``conversion_quote`` on a demo debenture / Series J holding), so rows have the size and keys of
  real ones; the columns (amount, price, shares, dates, status) are generated per row and are what
  the pages and rules read. Series J conversions are of one or two whole preferred shares
  (SPA 1(b)(iv)); debenture conversions of $1,000 to $9,000 of principal, within the half
  convertible 90 days after the Closing (Debenture 4(A)).
- Dates fall between the first convertible day and the demo business date (2000-03-27); a row
  whose Delivery Date has passed is delivered on it 80% of the time, else pending (so the sweep
  finds late deliveries, SPA 5(c)); debenture originals arrive for 90% of facsimile notices
  (Debenture Exhibit A).
- The Issuer's issued-share count is NOT raised by the generated conversions: 100,000 conversions
  do not fit in the 50,000,000 authorised shares (SPA 3(c)), and the load bench needs new
  conversions to pass the reserve check. The 20% cap (SPA 4(d)(ii)) is exhausted by the generated
  Series J conversions, which is fine for measuring pages; the load bench converts debentures.
- Notices are metadata rows (status ready), all pointing at one small placeholder PDF written once
  to the media storage (its SHA-256 recorded), so download pages work without rendering 20,000 PDFs.
- History: one creation row per generated parent record (investors, instruments, conversions,
  exercises), written set-based by ``history_record``; notices get none (they are metadata only).
"""

from __future__ import annotations

import datetime
import hashlib
import random
import time
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F

from deals import models as m
from deals.demo import DEBENTURE_CLOSING, DEMO_BUSINESS_DATE, SERIES_J_CLOSING, load_demo_deal
from deals.services.ledger.writer import history_record
from deals.terms import calendars

D = Decimal
BATCH = 5_000
GENERATOR = "grow_demo"
PLACEHOLDER_PDF = b"%PDF-1.4\n% grow_demo placeholder: synthetic notice metadata, not a rendered notice\n%%EOF\n"


@dataclass(frozen=True)
class Size:
    investors: int
    debentures: int
    preferred: int
    conversions: int
    notices: int
    exercises: int


# Targets are totals (the demo's 3 investors, 13 debentures and 3 holdings count towards them).
PRESETS = {
    "tiny": Size(investors=20, debentures=40, preferred=40, conversions=200, notices=50, exercises=10),
    "small": Size(investors=100, debentures=500, preferred=500, conversions=5_000, notices=1_000, exercises=100),
    "b": Size(investors=1_000, debentures=10_000, preferred=10_000, conversions=100_000, notices=20_000, exercises=2_000),
    # (c): more instruments, so that 1,000,000 conversions fit in their principal / liquidation preference
    "c": Size(investors=1_000, debentures=50_000, preferred=80_000, conversions=1_000_000, notices=20_000, exercises=2_000),
}


def _bulk(model, objs: list, *, user_id: int | None, history: bool = True) -> list:
    """bulk_create in batches, with one '+' history row per new row (set-based)."""
    out = []
    for start in range(0, len(objs), BATCH):
        part = model.objects.bulk_create(objs[start : start + BATCH])
        if history and hasattr(model, "history"):
            ids = [o.pk for o in part]
            history_record(model, ids, user_id=user_id, reason=GENERATOR, created=ids)
        out.extend(part)
    return out


def _generator_user():
    user, _ = get_user_model().objects.get_or_create(username="grow-demo", defaults={"is_active": False})
    return user


def _template_snapshots(demo: dict) -> dict[str, dict]:
    """The snapshot of one real quote per instrument kind (sizes and keys as the app writes them)."""
    from deals.services.conversions import conversion_quote
    from deals.services.errors import WorkflowError

    out = {}
    day = DEMO_BUSINESS_DATE
    for kind, inst, amount in (("debenture", demo["debentures"][0], D("1000")), ("preferred", demo["holdings"][0], D("1000"))):
        try:
            q = conversion_quote(instrument=inst, amount=amount, conversion_date=day, as_of=day)
            snap = q.as_dict()
            snap["terms_version"] = 1
            snap["synthetic"] = GENERATOR
            out[kind] = {"snapshot": snap, "price": q.price.shown_price, "market": q.market_price.price}
        except WorkflowError:
            out[kind] = {"snapshot": {"synthetic": GENERATOR}, "price": D("1.4375"), "market": D("1.6875")}
    return out


def _dates(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    return list(calendars.business_days_between(start, end))


def grow_demo(size: Size, *, seed: int = 17, sweep: bool = True, log=print) -> dict:
    """Grow the demo deal to ``size`` (totals). Returns the counts and seconds per step."""
    rng = random.Random(seed)
    timings: dict[str, float] = {}
    t = time.perf_counter()
    demo = load_demo_deal()
    user = _generator_user()
    uid = user.pk
    series_j, deb_fin = demo["series_j"], demo["debenture_financing"]
    terms = demo["terms_versions"]
    templates = _template_snapshots(demo)
    timings["demo"] = time.perf_counter() - t

    with transaction.atomic():
        # --- investors ------------------------------------------------------------------------
        t = time.perf_counter()
        have = m.Investor.objects.count()
        jurisdictions = ("Bahamas", "Switzerland", "British Virgin Islands", "Cayman Islands", "Bermuda", "Luxembourg")
        new = [
            m.Investor(
                legal_name=f"Synthetic Fund {i:07d} Ltd. (grown)", kind=m.Investor.Kind.ENTITY,
                jurisdiction=jurisdictions[i % len(jurisdictions)], notice_address=f"{i} Synthetic Quay\n(fictional address)",
                email=f"fund{i}@example.invalid", reg_s_non_us_attested=True, reg_s_attested_on=SERIES_J_CLOSING,
                accredited_investor=True,
                dtc_participant=f"{1000 + i % 9000}",
            )
            for i in range(have, size.investors)
        ]
        _bulk(m.Investor, new, user_id=uid)
        inv_ids = list(m.Investor.objects.order_by("id").values_list("id", flat=True))
        timings["investors"] = time.perf_counter() - t

        # --- debentures (Debenture 4(A): $100,000 each, the demo's closing and maturity) --------
        t = time.perf_counter()
        have = m.Debenture.objects.count()
        new = [
            m.Debenture(
                financing=deb_fin, investor_id=inv_ids[rng.randrange(len(inv_ids))], number=f"DG-{i:07d}",
                principal=D("100000"), principal_outstanding=D("100000"), dated_date=DEBENTURE_CLOSING,
                issue_date=DEBENTURE_CLOSING, closing_date=DEBENTURE_CLOSING,
                maturity_date=demo["debentures"][0].maturity_date,
            )
            for i in range(have, size.debentures)
        ]
        debs = _bulk(m.Debenture, new, user_id=uid)
        timings["debentures"] = time.perf_counter() - t

        # --- Series J holdings and their warrants (SPA 1(b)(iv), 4(h)) --------------------------
        t = time.perf_counter()
        have = m.PreferredHolding.objects.count()
        w_template = demo["warrants"][0]
        new_h, new_w = [], []
        for i in range(have, size.preferred):
            inv = inv_ids[rng.randrange(len(inv_ids))]
            shares = rng.randint(5, 20)
            lp = D(shares) * D("1000")
            new_h.append(m.PreferredHolding(
                financing=series_j, investor_id=inv, certificate_number=f"JG-{i:07d}", shares=shares,
                liquidation_preference=lp, liquidation_preference_outstanding=lp, purchase_price=lp,
                closing_date=SERIES_J_CLOSING,
            ))
            w_shares = max(1, int(w_template.shares * shares / 400))
            new_w.append(m.Warrant(
                financing=series_j, investor_id=inv, number=f"WG-{i:07d}", shares=w_shares, shares_remaining=w_shares,
                exercise_price=w_template.exercise_price, issue_date=SERIES_J_CLOSING, expiry_date=w_template.expiry_date,
            ))
        holdings = _bulk(m.PreferredHolding, new_h, user_id=uid)
        warrants = _bulk(m.Warrant, new_w, user_id=uid)
        timings["holdings"] = time.perf_counter() - t

        # --- conversions -------------------------------------------------------------------------
        t = time.perf_counter()
        have = m.Conversion.objects.count()
        todo = max(0, size.conversions - have)
        conv_ids = _conversions(rng, todo, debs, holdings, terms, templates, user, have)
        timings["conversions"] = time.perf_counter() - t

        # --- warrant exercises (SPA 4(h)) ---------------------------------------------------------
        t = time.perf_counter()
        have = m.WarrantExercise.objects.count()
        ex_ids = _exercises(rng, max(0, size.exercises - have), warrants, terms[m.Financing.Kind.SERIES_J], user, have)
        timings["exercises"] = time.perf_counter() - t

        # --- notice records (metadata; one placeholder PDF) ----------------------------------------
        t = time.perf_counter()
        n_notices = _notices(max(0, size.notices - _notice_count()), user)
        timings["notices"] = time.perf_counter() - t

    t = time.perf_counter()
    run = None
    if sweep:
        from deals.services.sweeps import sweep_run

        run = sweep_run(as_of=demo["business_date"], triggered_by=GENERATOR)
    timings["sweep"] = time.perf_counter() - t
    _analyze()
    counts = {
        "investors": m.Investor.objects.count(),
        "debentures": m.Debenture.objects.count(),
        "preferred": m.PreferredHolding.objects.count(),
        "warrants": m.Warrant.objects.count(),
        "conversions": m.Conversion.objects.count(),
        "exercises": m.WarrantExercise.objects.count(),
        "notices": _notice_count(),
        "obligations": m.Obligation.objects.count(),
    }
    return {"counts": counts, "timings": timings, "sweep": run, "new_conversions": len(conv_ids), "new_exercises": len(ex_ids),
            "new_notices": n_notices}


def _conversions(rng, todo, debs, holdings, terms, templates, user, offset) -> list[int]:
    if not todo:
        return []
    if not debs:
        debs = list(m.Debenture.objects.filter(number__startswith="DG-").order_by("id"))
    if not holdings:
        holdings = list(m.PreferredHolding.objects.filter(certificate_number__startswith="JG-").order_by("id"))
    if not debs and not holdings:
        return []
    business = DEMO_BUSINESS_DATE
    deb_days = _dates(DEBENTURE_CLOSING + datetime.timedelta(days=91), business)  # half convertible after 90 days
    deb_days_all = _dates(DEBENTURE_CLOSING + datetime.timedelta(days=121), business)  # all convertible after 120 days
    pref_days = _dates(SERIES_J_CLOSING + datetime.timedelta(days=1), business)
    deb_left = {d.pk: int(d.principal_outstanding) // 2 for d in debs}  # stay within the first tranche
    pref_left = {h.pk: h.shares for h in holdings}
    used_deb: dict[int, int] = {}
    used_pref: dict[int, int] = {}
    pref_cursor = deb_cursor = deb_round = 0
    t_deb, t_pref = templates["debenture"], templates["preferred"]
    batch, ids = [], []
    for n in range(todo):
        i = offset + n
        series_j = holdings and (not debs or n % 2 == 1)
        if series_j:
            h = holdings[rng.randrange(len(holdings))]
            while pref_left[h.pk] < 1 and pref_cursor < len(holdings):  # used up: the next unused one, in order
                h = holdings[pref_cursor]
                pref_cursor += 1
            if pref_left[h.pk] < 1:
                series_j = False
        if not series_j:
            d = debs[rng.randrange(len(debs))]
            while deb_left[d.pk] < 1000 and deb_cursor < len(debs):
                d = debs[deb_cursor]
                deb_cursor += 1
            if deb_left[d.pk] < 1000:
                if deb_round:
                    raise ValueError(f"{todo:,} conversions do not fit in {len(debs):,} debentures and {len(holdings):,} "
                                     "Series J holdings: ask for more instruments (--debentures, --preferred).")
                # the first half of every debenture used up: convert the second half (Debenture 4(A), after 120 days)
                deb_left = {x.pk: deb_left[x.pk] + 50_000 for x in debs}
                deb_cursor, deb_round = 0, 1
                d = debs[rng.randrange(len(debs))]
        if series_j:
            k = min(pref_left[h.pk], rng.choice((1, 1, 1, 2)))
            pref_left[h.pk] -= k
            amount = D(k) * D("1000")
            used_pref[h.pk] = used_pref.get(h.pk, 0) + k
            day = pref_days[rng.randrange(len(pref_days))]
            price = t_pref["price"]
            tmpl = t_pref
            inst = {"preferred_id": h.pk, "investor_id": h.investor_id, "terms_version": terms[m.Financing.Kind.SERIES_J]}
            late_base = amount
            original_due = original_received = None
        else:
            amount_i = min(deb_left[d.pk], 1000 * rng.randint(1, 9))
            deb_left[d.pk] -= amount_i
            amount = D(amount_i)
            used_deb[d.pk] = used_deb.get(d.pk, 0) + amount_i
            days = deb_days_all if deb_round else deb_days
            day = days[rng.randrange(len(days))]
            price = t_deb["price"]
            tmpl = t_deb
            inst = {"debenture_id": d.pk, "investor_id": d.investor_id, "terms_version": terms[m.Financing.Kind.DEBENTURE]}
            late_base = D(0)
            original_due = calendars.add_business_days(day, 5)
            original_received = calendars.add_business_days(day, 2) if rng.random() < 0.9 else None
            if original_received and original_received > business:
                original_received = None
        shares = int((amount / price).to_integral_value(rounding=ROUND_FLOOR))
        delivery = calendars.add_business_days(day, 3)
        delivered = delivery <= business and rng.random() < 0.8
        batch.append(m.Conversion(
            amount=amount, conversion_date=day, notice_method=m.NoticeMethod.FACSIMILE, notice_received_date=day,
            market_price=tmpl["market"], conversion_price=price, shares_for_amount=shares, shares_issuable=shares,
            late_payment_base=late_base, delivery_date=delivery, original_due_date=original_due,
            original_received_date=original_received,
            status=m.ConversionStatus.DELIVERED if delivered else m.ConversionStatus.PENDING_DELIVERY,
            delivered_date=delivery if delivered else None, delivery_reference=f"DWAC {i}" if delivered else "",
            reference=f"grown {i}", snapshot=tmpl["snapshot"], idempotency_key=f"grow-{i}", created_by=user, **inst,
        ))
        if len(batch) == BATCH:
            ids += [c.pk for c in _bulk(m.Conversion, batch, user_id=user.pk)]
            batch = []
    if batch:
        ids += [c.pk for c in _bulk(m.Conversion, batch, user_id=user.pk)]
    _reduce(m.Debenture, "principal_outstanding", {pk: D(v) for pk, v in used_deb.items()}, user)
    _reduce(m.PreferredHolding, "liquidation_preference_outstanding", {pk: D(v) * D("1000") for pk, v in used_pref.items()}, user)
    return ids


def _reduce(model, field: str, by: dict[int, Decimal], user) -> None:
    """Lower the outstanding amounts by what was converted (one UPDATE per distinct amount)."""
    groups: dict[Decimal, list[int]] = {}
    for pk, amount in by.items():
        groups.setdefault(amount, []).append(pk)
    for amount, pks in groups.items():
        for start in range(0, len(pks), BATCH):
            model.objects.filter(pk__in=pks[start : start + BATCH]).update(**{field: F(field) - amount})
    history_record(model, list(by), user_id=user.pk, reason=f"{GENERATOR}: converted")


def _exercises(rng, todo, warrants, terms_version, user, offset) -> list[int]:
    if not todo:
        return []
    if not warrants:
        warrants = list(m.Warrant.objects.filter(number__startswith="WG-").order_by("id"))
    pool = [w for w in warrants if w.shares_remaining >= 2]
    rng.shuffle(pool)
    pool = pool[:todo]
    days = _dates(SERIES_J_CLOSING + datetime.timedelta(days=1), DEMO_BUSINESS_DATE)
    batch, used = [], {}
    for n, w in enumerate(pool):
        i = offset + n
        shares = max(1, w.shares_remaining // 2)
        day = days[rng.randrange(len(days))]
        aggregate = (D(shares) * w.exercise_price).quantize(D("0.01"), rounding=ROUND_HALF_UP)
        delivery = calendars.add_business_days(day, 3)
        delivered = delivery <= DEMO_BUSINESS_DATE and rng.random() < 0.8
        batch.append(m.WarrantExercise(
            warrant=w, investor_id=w.investor_id, terms_version=terms_version, shares=shares, exercise_date=day,
            exercise_price=w.exercise_price, aggregate_price=aggregate, payment_amount=aggregate, payment_date=day,
            delivery_date=delivery, delivered_date=delivery if delivered else None,
            delivery_reference=f"DWAC W{i}" if delivered else "",
            status=m.WarrantExercise.Status.DELIVERED if delivered else m.WarrantExercise.Status.PENDING_DELIVERY,
            snapshot={"synthetic": GENERATOR, "clause": "SPA 4(h)", "shares": shares, "exercise_price": str(w.exercise_price),
                      "aggregate_price": str(aggregate), "delivery_date": delivery.isoformat(), "terms_version": 1},
            idempotency_key=f"grow-ex-{i}", created_by=user,
        ))
        used[w.pk] = shares
    ids = [e.pk for e in _bulk(m.WarrantExercise, batch, user_id=user.pk)]
    groups: dict[int, list[int]] = {}
    for pk, k in used.items():
        groups.setdefault(k, []).append(pk)
    for k, pks in groups.items():
        m.Warrant.objects.filter(pk__in=pks).update(shares_remaining=F("shares_remaining") - k)
    history_record(m.Warrant, list(used), user_id=user.pk, reason=f"{GENERATOR}: exercised")
    return ids


def _notice_count() -> int:
    from notices.models import Notice

    return Notice.objects.count()


def _notices(todo: int, user) -> int:
    """Notice of Conversion records for the newest conversions without one (metadata only)."""
    if not todo:
        return 0
    from notices.models import Notice, NoticeKind, NoticeStatus

    ct = ContentType.objects.get_for_model(m.Conversion)
    name = "notices/grown/placeholder.pdf"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(PLACEHOLDER_PDF))
    sha = hashlib.sha256(PLACEHOLDER_PDF).hexdigest()
    taken = set(Notice.objects.filter(content_type=ct, kind=NoticeKind.CONVERSION).values_list("object_id", flat=True))
    rows = (
        m.Conversion.objects.order_by("-id")
        .values_list("id", "investor_id", "conversion_date", "debenture__number", "preferred__certificate_number")
    )
    now = datetime.datetime(2000, 3, 27, 17, 0, tzinfo=datetime.UTC)
    batch, made = [], 0
    for cid, inv, day, deb, cert in list(rows[: todo + len(taken)]):
        if cid in taken:
            continue
        label = deb or cert
        batch.append(Notice(
            kind=NoticeKind.CONVERSION, content_type=ct, object_id=cid, investor_id=inv, version=1,
            subject=f"{label}, conversion on {day.isoformat()}", file_name=f"notice-of-conversion-{label}-{day.isoformat()}.pdf",
            status=NoticeStatus.READY, file=name, sha256=sha, size=len(PLACEHOLDER_PDF), template_version=GENERATOR,
            engine=f"{GENERATOR} placeholder", requested_by=user, rendered_at=now, render_ms=0, attempts=1,
        ))
        made += 1
        if len(batch) == BATCH:
            Notice.objects.bulk_create(batch)
            batch = []
        if made == todo:
            break
    if batch:
        Notice.objects.bulk_create(batch)
    return made


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")
