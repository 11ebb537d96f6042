"""The limits bind (issue 12): the cap count from the SPA date (SPA 4(d)(ii)), the authorized
shares (SPA 3(c), 4(i)), warrant exercises under the cap, remedy (x) only when permitted, the
stockholders' meeting that lifts the cap, and the 150% reserve across every instrument (SPA 4(g)).

Figures: 7,860,000 shares outstanding at signing -> cap 20% = 1,572,000 (SPA 4(d)(ii)). Flat
closing bids of $1.50 -> conversion price 80% x $1.50 = $1.20 for both the Debenture and the
Series J: $20,000 of principal -> 16,667 shares; one $1,000 preferred share -> 833.33 shares.
"""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from deals.models import (
    CapRemedy,
    Conversion,
    ConversionStatus,
    Financing,
    Issuer,
    Obligation,
    ObligationKind,
    ObligationStatus,
    StockholderMeeting,
    WarrantExercise,
)
from deals.selectors.cap import cap_shares_issued, reserve_position
from deals.services import conversions as svc
from deals.services import exercises as ex_svc
from deals.services.conversions import WorkflowError
from deals.services.issuance import reserve_sync, stockholder_meeting_record
from deals.services.sweeps import RULES, Context, run_rule
from tests import factories as f
from tests.services.test_conversions import CONV_DATE, make_world, set_business_date, submit
from tests.sweeps.conftest import make_conversion

D = Decimal
CAP = 1_572_000
SPA_DATE = datetime.date(2000, 3, 1)


def _exercise_row(warrant, user, shares, day, status=WarrantExercise.Status.PENDING_DELIVERY):
    tv = warrant.financing.terms_versions.get()
    return WarrantExercise.objects.create(
        warrant=warrant, investor=warrant.investor, terms_version=tv, shares=shares, exercise_date=day,
        exercise_price=D("1.65"), aggregate_price=D("1.65") * shares, payment_amount=D("1.65") * shares, payment_date=day,
        delivery_date=day, status=status, snapshot={}, idempotency_key=uuid.uuid4().hex, created_by=user,
    )


def _fill_cap(w, user, shares, day=datetime.date(2000, 5, 1)):
    """A Series J conversion of the world's financing that issued ``shares`` (counts for the cap)."""
    holding = f.PreferredHoldingFactory(financing=w.preferred.financing, investor=w.preferred.investor)
    tv = w.preferred.financing.terms_versions.get()
    return make_conversion(user=user, terms_version=tv, preferred=holding, delivery_date=day, conversion_date=day,
                           shares_issuable=shares, shares_for_amount=shares)


# --- 1. the count: SPA 4(d)(ii) "issued ... after the date of this Agreement" -------------------------


def test_cap_count_starts_on_the_spa_date_day_before_on_after(db, clerk):
    w = make_world()
    fin = w.preferred.financing
    Financing.objects.filter(pk=fin.pk).update(agreement_date=SPA_DATE)
    tv = fin.terms_versions.get()
    for day, n in ((SPA_DATE - datetime.timedelta(days=1), 100), (SPA_DATE, 200), (SPA_DATE + datetime.timedelta(days=1), 400)):
        make_conversion(user=clerk, terms_version=tv, preferred=w.preferred, delivery_date=day, conversion_date=day,
                        shares_issuable=n)
    # not counted: a revoked Series J conversion, a Debenture conversion (the Debenture is not an SPA security)
    make_conversion(user=clerk, terms_version=tv, preferred=w.preferred, delivery_date=SPA_DATE, conversion_date=SPA_DATE,
                    shares_issuable=10_000, status=ConversionStatus.REVOKED)
    make_conversion(user=clerk, terms_version=tv, debenture=w.debenture, delivery_date=SPA_DATE, conversion_date=SPA_DATE,
                    shares_issuable=20_000)
    warrant = f.WarrantFactory(financing=fin)
    _exercise_row(warrant, clerk, 1_000, SPA_DATE - datetime.timedelta(days=1))
    _exercise_row(warrant, clerk, 3_000, SPA_DATE)
    conv = Conversion.objects.filter(conversion_date=SPA_DATE, preferred__isnull=False, status="pending_delivery").first()
    CapRemedy.objects.create(conversion=conv, remedy="x", chosen_date=SPA_DATE, unconverted_shares=1, snapshot={"shares": 7_000},
                             created_by=clerk)
    CapRemedy.objects.create(conversion=conv, remedy="x", chosen_date=SPA_DATE - datetime.timedelta(days=1), unconverted_shares=1,
                             snapshot={"shares": 50_000}, created_by=clerk)
    CapRemedy.objects.create(conversion=conv, remedy="y", chosen_date=SPA_DATE, unconverted_shares=1, snapshot={"shares": 90_000},
                             created_by=clerk)
    issuer_id = w.issuer.pk
    assert cap_shares_issued(issuer_id=issuer_id) == 200 + 400 + 3_000 + 7_000
    assert svc.cap_shares_issued(issuer_id) == 10_600
    # without an SPA date every issuance to the holders counts
    assert cap_shares_issued(issuer_id=issuer_id, since=None) == 100 + 200 + 400 + 1_000 + 3_000 + 7_000 + 50_000
    # another issuer's conversions are not this issuer's cap
    other = f.PreferredHoldingFactory(financing=f.SeriesJFinancingFactory(issuer=f.IssuerFactory(name="Other Co")))
    make_conversion(user=clerk, terms_version=other.financing.terms_versions.get(), preferred=other, delivery_date=SPA_DATE,
                    conversion_date=SPA_DATE, shares_issuable=999)
    assert cap_shares_issued(issuer_id=issuer_id) == 10_600


def test_the_quote_counts_from_the_spa_date(db, clerk):
    w = make_world()
    _fill_cap(w, clerk, CAP, day=datetime.date(2000, 2, 1))  # the whole cap, but before the SPA date
    q = svc.conversion_quote(instrument=w.preferred, amount=D("10000"), conversion_date=CONV_DATE)
    assert q.cap.room == 0 and q.unconverted.unconverted_preferred == 10
    Financing.objects.filter(pk=w.preferred.financing_id).update(agreement_date=SPA_DATE)
    q = svc.conversion_quote(instrument=w.preferred, amount=D("10000"), conversion_date=CONV_DATE)
    assert q.cap.issued_before == 0 and q.cap.fits and q.unconverted.unconverted_preferred == 0


# --- 3. authorized shares: SPA 3(c), 4(i) ---------------------------------------------------------------


def _authorized_room(room: int, authorized: int = 10_000_000) -> None:
    Issuer.objects.update(authorized_common_shares=authorized, shares_issued=authorized - room)


@pytest.mark.parametrize("room,ok", [(16_666, False), (16_667, True), (16_668, True)])
def test_debenture_conversion_at_under_over_the_authorized_shares(db, clerk, room, ok):
    w = make_world()
    _authorized_room(room)
    if ok:
        conv = submit(w.debenture, "20000", clerk)
        assert conv.shares_issuable == 16_667
        assert Issuer.objects.get().shares_issued == 10_000_000 - room + 16_667
        return
    with pytest.raises(WorkflowError) as e:
        submit(w.debenture, "20000", clerk)
    msg = str(e.value)
    assert e.value.code == "authorized_shares"
    assert "needs 16,667 shares" in msg and "authorized but unissued Common Stock 16,666" in msg
    assert "10,000,000 authorized, 9,983,334 issued" in msg and "SPA 3(c), 4(i)" in msg
    assert Conversion.objects.count() == 0 and Obligation.objects.count() == 0
    assert Issuer.objects.get().shares_issued == 10_000_000 - room


@pytest.mark.parametrize("room,converted", [(4_999, 5), (5_000, 6), (5_001, 6)])
def test_series_j_beyond_the_authorized_shares_leaves_unconverted_shares(db, clerk, room, converted):
    """SPA 4(i): the excess over the authorized but unissued shares becomes Unconverted Shares:
    6 preferred shares x $1,000 / $1.20 = 5,000 shares fit exactly in 5,000."""
    w = make_world()
    _authorized_room(room)
    q = svc.conversion_quote(instrument=w.preferred, amount=D("10000"), conversion_date=CONV_DATE)
    assert q.authorized.available == room and q.authorized.requested == 8_333 and not q.authorized.fits
    assert q.unconverted.convertible_preferred == converted
    conv = submit(w.preferred, "10000", clerk)
    assert conv.unconverted_shares == 10 - converted
    assert conv.shares_issuable <= room
    assert Issuer.objects.get().authorized_common_shares >= Issuer.objects.get().shares_issued


def test_review_page_shows_the_authorized_shares_numbers(db, clerk_client):
    w = make_world()
    _authorized_room(5_000)
    from tests.services.test_conversions import CONV_DATE as day

    r = clerk_client.post("/conversions/new/", {
        "instrument": f"preferred:{w.preferred.pk}", "amount": "10000", "conversion_date": day.isoformat(),
        "notice_method": "facsimile", "notice_received_date": day.isoformat(), "interest_election": "cash",
        "idempotency_key": uuid.uuid4().hex,
    })
    assert r.status_code == 200, r.content[:500]
    body = r.content.decode()
    assert 'data-testid="authorized"' in body
    assert "5,000" in body and "8,333" in body and "SPA 3(c), 4(i)" in body


# --- 2. warrant exercises under the cap ----------------------------------------------------------------


@pytest.fixture
def capped(db, clerk):
    """1,562,000 of the 1,572,000 cap issued: 10,000 shares of room."""
    w = make_world()
    _fill_cap(w, clerk, CAP - 10_000)
    w.warrant = f.WarrantFactory(financing=w.preferred.financing, shares=50_000, exercise_price=D("1.6500"))
    return w


def _exercise(w, user, shares, pay=None):
    pay = pay if pay is not None else D("1.65") * shares
    return ex_svc.exercise_submit(warrant=w.warrant, shares=shares, exercise_date=CONV_DATE, payment_amount=D(pay),
                                  payment_date=CONV_DATE, idempotency_key=uuid.uuid4().hex, user=user)


def test_exercise_at_the_cap_is_whole(capped, clerk):
    ex = _exercise(capped, clerk, 10_000)
    assert ex.shares == 10_000 and not ex.warnings
    assert cap_shares_issued(issuer_id=capped.issuer.pk) == CAP


def test_exercise_one_over_the_cap_leaves_one_share_unexercised(capped, clerk):
    ex = _exercise(capped, clerk, 10_001)
    assert ex.shares == 10_000
    assert ex.snapshot["requested_shares"] == 10_001 and ex.snapshot["unexercised_shares"] == 1
    assert ex.aggregate_price == D("16500.00") and ex.payment_amount == D("16501.65")
    assert any("1 stay unexercised" in w and "SPA 4(d)(ii), 4(i)" in w for w in ex.warnings)
    capped.warrant.refresh_from_db()
    assert capped.warrant.shares_remaining == 40_000
    assert cap_shares_issued(issuer_id=capped.issuer.pk) == CAP


def test_exercise_with_the_cap_full_is_refused_and_writes_nothing(capped, clerk):
    _exercise(capped, clerk, 10_000)
    issued = Issuer.objects.get().shares_issued
    with pytest.raises(WorkflowError) as e:
        _exercise(capped, clerk, 1)
    msg = str(e.value)
    assert e.value.code == "cap"
    assert "room under the 20% cap 0 (1,572,000 cap less 1,572,000 already issued" in msg
    assert "SPA 5(f)" in msg
    assert WarrantExercise.objects.count() == 1 and Issuer.objects.get().shares_issued == issued


def test_exercise_after_stockholder_approval_is_not_capped(capped, clerk, deal_admin):
    _meeting(deal_admin, day=CONV_DATE, votes_for=600, votes_against=400)
    ex = _exercise(capped, clerk, 20_000)
    assert ex.shares == 20_000 and not ex.warnings


# --- 4. the stockholders' meeting ---------------------------------------------------------------------------


def _meeting(user, *, day=CONV_DATE, votes_for=600, votes_against=400, abstain=10, document=True):
    doc = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes", content_type="application/pdf") if document else None
    return stockholder_meeting_record(issuer=Issuer.objects.get(), meeting_date=day, votes_for=votes_for,
                                      votes_against=votes_against, votes_abstain=abstain, document=doc, user=user)


@pytest.mark.parametrize("votes_for,votes_against,approved", [(500, 500, False), (501, 500, True), (499, 500, False)])
def test_meeting_approval_is_a_majority_of_votes_cast(db, deal_admin, votes_for, votes_against, approved):
    make_world()
    m = _meeting(deal_admin, votes_for=votes_for, votes_against=votes_against, abstain=10_000)
    assert m.approved is approved
    assert m.history.count() == 1 and m.document.name.startswith("meetings/")


def test_meeting_closes_the_meeting_date_obligation_through_the_ledger(db, deal_admin, clerk):
    w = make_world()
    _fill_cap(w, clerk, 800_000, day=datetime.date(2000, 3, 1))  # > 10% of 7,860,000: Meeting Date = 03-01 + 75 days
    run_rule(next(r for r in RULES if r.name == "cap"), Context(datetime.date(2000, 5, 1)))
    row = Obligation.objects.get(kind=ObligationKind.MEETING_DATE)
    assert row.status == ObligationStatus.OPEN and row.due_date == datetime.date(2000, 5, 15)
    _meeting(deal_admin, day=datetime.date(2000, 5, 10))
    row.refresh_from_db()
    assert row.status == ObligationStatus.SATISFIED and row.satisfied_date == datetime.date(2000, 5, 10)
    assert "600 for, 400 against" in row.description and "no longer binds" in row.description
    assert row.history.count() >= 2  # the close left history
    # the sweep afterwards changes nothing (same builder, same inputs)
    desc = row.description
    run_rule(next(r for r in RULES if r.name == "cap"), Context(CONV_DATE))
    row.refresh_from_db()
    assert row.status == ObligationStatus.SATISFIED and row.description == desc


def test_cap_binds_the_day_before_the_meeting_not_on_it(db, clerk, deal_admin):
    w = make_world()
    _fill_cap(w, clerk, CAP)  # cap used up
    _meeting(deal_admin, day=CONV_DATE)
    before = svc.conversion_quote(instrument=w.preferred, amount=D("10000"), conversion_date=CONV_DATE - datetime.timedelta(days=1))
    assert before.unconverted.unconverted_preferred == 10
    on = svc.conversion_quote(instrument=w.preferred, amount=D("10000"), conversion_date=CONV_DATE)
    assert on.cap.stockholder_approval and on.unconverted is None and on.total_shares == 8_333
    conv = submit(w.preferred, "10000", clerk)
    assert conv.unconverted_shares == 0 and conv.shares_issuable == 8_333


def test_a_rejected_vote_leaves_the_cap_binding(db, clerk, deal_admin):
    w = make_world()
    _fill_cap(w, clerk, CAP)
    _meeting(deal_admin, votes_for=400, votes_against=600)
    conv = submit(w.preferred, "10000", clerk)
    assert conv.unconverted_shares == 10


@pytest.mark.parametrize("kwargs,field,text", [
    ({"day": CONV_DATE + datetime.timedelta(days=1)}, "meeting_date", "after the business date"),
    ({"document": False}, "document", "Attach the minutes"),
    ({"votes_for": 0, "votes_against": 0, "abstain": 0}, "votes_for", "no votes"),
    ({"votes_for": -1}, "votes_for", "between 0 and"),
    ({"votes_for": "12.5"}, "votes_for", "whole number"),
])
def test_bad_meeting_input_is_refused_and_writes_nothing(db, deal_admin, kwargs, field, text):
    make_world()
    with pytest.raises(WorkflowError) as e:
        _meeting(deal_admin, **kwargs)
    assert e.value.field == field and text in str(e.value)
    assert StockholderMeeting.objects.count() == 0 and Obligation.objects.count() == 0


def test_the_same_meeting_twice_is_refused(db, deal_admin):
    make_world()
    _meeting(deal_admin)
    with pytest.raises(WorkflowError, match="already recorded"):
        _meeting(deal_admin)
    assert StockholderMeeting.objects.count() == 1


# --- remedy (x): offered only when the Cap Regulations permit it -----------------------------------------


def test_remedy_x_offered_only_with_room_or_approval(db, clerk, deal_admin):
    w = make_world(bid=D("0.0500"), end=datetime.date(2000, 7, 31))
    conv = submit(w.preferred, "400000", deal_admin)  # fills the cap exactly? 62 pref at $0.04 = 1,550,000
    _fill_cap(w, clerk, CAP - conv.shares_issuable)  # now the cap is full
    offered, why = svc.remedy_x_offer(conv)
    assert not offered and "0 left under the 20% cap of 1,572,000" in why and "SPA 4(i)(x)" in why
    set_business_date(datetime.date(2000, 6, 15))
    with pytest.raises(WorkflowError, match="only if the Cap Regulations permit"):
        svc.cap_remedy_choose(conversion=conv, remedy="x", shares=1, chosen_date=datetime.date(2000, 6, 15), user=deal_admin)
    _meeting(deal_admin, day=datetime.date(2000, 6, 15))
    offered, why = svc.remedy_x_offer(conv)
    assert offered and "stockholder approval recorded" in why
    row = svc.cap_remedy_choose(conversion=conv, remedy="x", shares=3, chosen_date=datetime.date(2000, 6, 15), user=deal_admin)
    assert row.snapshot["shares"] > 20_000


def test_remedy_form_drops_x_when_not_permitted(db, clerk, deal_admin, client):
    w = make_world(bid=D("0.0500"), end=datetime.date(2000, 7, 31))
    conv = submit(w.preferred, "400000", deal_admin)
    _fill_cap(w, clerk, CAP - conv.shares_issuable)
    client.force_login(deal_admin)
    body = client.get(f"/conversions/{conv.pk}/").content.decode()
    assert 'value="y"' in body and 'value="x"' not in body
    assert "Remedy (x) is not offered" in body


# --- 5. the 150% reserve across every instrument: SPA 3(c), 4(g) --------------------------------------------


def _debenture_only_world():
    """One $100,000 Debenture at $1.20: 83,333 conversion shares -> 150% = 124,999.5 -> 125,000 reserved."""
    set_business_date(CONV_DATE)
    f.price_series(datetime.date(1999, 12, 1), CONV_DATE, bid=D("1.5000"))
    deb = f.DebentureFactory()
    return deb


@pytest.mark.parametrize("available,short", [(124_999, 1), (125_000, 0), (125_001, 0)])
def test_reserve_shortfall_at_under_over(db, available, short):
    deb = _debenture_only_world()
    Issuer.objects.update(authorized_common_shares=7_860_000 + available)
    pos = reserve_position(issuer_id=deb.financing.issuer_id, day=CONV_DATE)
    assert pos.check.conversion_shares == 83_333 and pos.check.required_shares == 125_000
    assert pos.check.shortfall == short
    reserve_sync(deb.financing.issuer_id)
    rows = Obligation.objects.filter(kind=ObligationKind.RESERVE_SHORTFALL)
    if short:
        row = rows.get()
        assert row.status == ObligationStatus.OPEN and row.due_date == CONV_DATE
        assert "short by 1 shares: 125,000 required (150% of 83,333 conversion shares + 0 warrant shares), 124,999" in row.description
        assert row.clause == "SPA 3(c), 4(g)"
    else:
        assert not rows.exists()


def test_reserve_counts_every_series_j_debenture_and_warrant(db):
    deb = _debenture_only_world()
    f.DebentureFactory(financing=deb.financing)  # another $100,000: 83,333 more
    sj = f.SeriesJFinancingFactory(issuer=deb.financing.issuer)
    f.PreferredHoldingFactory(financing=sj, shares=12)  # $12,000 / $1.20 = 10,000
    f.WarrantFactory(financing=sj, shares=5_000)
    f.WarrantFactory(financing=sj, shares=7_000, expiry_date=datetime.date(2000, 5, 31))  # expired: not counted
    pos = reserve_position(issuer_id=deb.financing.issuer_id, day=CONV_DATE)
    # each financing's outstanding amount at its price, rounded once: $200,000 / $1.20 = 166,667
    assert pos.check.conversion_shares == 166_667 + 10_000
    assert pos.check.warrant_shares == 5_000
    assert pos.check.required_shares == 265_001 + 5_000  # ceil(1.5 x 176,667) = ceil(265,000.5)


def test_reserve_shortfall_opens_on_an_issuance_and_closes_in_the_sweep(db, clerk):
    deb = _debenture_only_world()
    Issuer.objects.update(authorized_common_shares=7_860_000 + 130_000)
    # a $20,000 conversion: 16,667 issued -> 113,333 unissued; $80,000 / $1.20 = 66,667 left -> 100,001 required: fine
    submit(deb, "20000", clerk)
    assert not Obligation.objects.filter(kind=ObligationKind.RESERVE_SHORTFALL).exists()
    # the Company issues other shares (the admin records 50,000 more issued): 63,333 unissued < 100,001
    Issuer.objects.update(shares_issued=7_860_000 + 16_667 + 50_000)
    cap_rule = next(r for r in RULES if r.name == "cap")
    run_rule(cap_rule, Context(CONV_DATE))
    row = Obligation.objects.get(kind=ObligationKind.RESERVE_SHORTFALL)
    assert row.status == ObligationStatus.OPEN and "short by 36,668 shares: 100,001 required" in row.description
    # the Company authorizes more shares: the next sweep closes the shortfall (history kept)
    Issuer.objects.update(authorized_common_shares=50_000_000)
    set_business_date(datetime.date(2000, 6, 2))
    run_rule(cap_rule, Context(datetime.date(2000, 6, 2)))
    row.refresh_from_db()
    assert row.status == ObligationStatus.SATISFIED and row.satisfied_date == datetime.date(2000, 6, 2)
    assert row.due_date == CONV_DATE


@pytest.mark.parametrize("headroom,short", [(100_001 + 16_667 - 1, 1), (100_001 + 16_667, 0)])
def test_the_submits_reserve_row_counts_its_own_issuance(db, clerk, headroom, short):
    """The submit hands the reserve the issuer's figures it holds under the lock (authorized, and
    issued after this conversion) instead of reading the row again: the row it writes is the one a
    fresh read writes, a share either side of the shortfall."""
    from deals.services.issuance import reserve_row

    deb = _debenture_only_world()
    Issuer.objects.update(authorized_common_shares=7_860_000 + headroom)
    # $20,000 -> 16,667 issued; $80,000 / $1.20 = 66,667 left -> 100,001 required (SPA 4(g))
    conv = submit(deb, "20000", clerk)
    issuer = Issuer.objects.get()
    assert issuer.shares_issued == 7_860_000 + conv.shares_issuable == 7_860_000 + 16_667
    rows = Obligation.objects.filter(kind=ObligationKind.RESERVE_SHORTFALL)
    fresh = reserve_row(issuer.pk, as_of=CONV_DATE)  # reads the issuer row
    if short:
        row = rows.get()
        assert row.status == ObligationStatus.OPEN and f"short by {short} shares: 100,001 required" in row.description
        assert (row.amount, row.description) == (fresh.amount, fresh.description)
    else:
        assert not rows.exists() and fresh is None


def test_issuance_position_reads_the_cap_warrants_and_approval_in_one_statement(db, clerk, deal_admin,
                                                                                 django_assert_num_queries):
    """SPA 4(d)(ii), 4(g): the cap count, the warrant shares outstanding and the approving meeting
    under the issuer lock are one statement (one more only to load a meeting that approved)."""
    from deals.selectors.cap import issuance_position, issuer_scope

    w = make_world()
    f.WarrantFactory(financing=w.preferred.financing, investor=w.preferred.investor, shares=5_000)
    f.WarrantFactory(financing=w.preferred.financing, investor=w.preferred.investor, shares=7_000)
    _fill_cap(w, clerk, 1_000)
    scope = issuer_scope(w.issuer.pk)
    with django_assert_num_queries(1):
        pos = issuance_position(issuer_id=w.issuer.pk, day=CONV_DATE, issuer=w.issuer, scope=scope)
    assert (pos.cap_issued, pos.warrant_shares, pos.approval) == (1_000, 12_000, None)
    assert pos.cap_issued == cap_shares_issued(issuer_id=w.issuer.pk)
    meeting = stockholder_meeting_record(issuer=w.issuer, meeting_date=CONV_DATE, votes_for=10, votes_against=1,
                                         document=SimpleUploadedFile("m.pdf", b"%PDF-1.4"), user=deal_admin)
    with django_assert_num_queries(2):
        pos = issuance_position(issuer_id=w.issuer.pk, day=CONV_DATE, issuer=w.issuer, scope=scope)
    assert pos.approval == meeting
    assert issuance_position(issuer_id=w.issuer.pk, day=CONV_DATE - datetime.timedelta(days=1)).approval is None


# --- SPA 5(f): "any exercise of any Warrant" dishonoured -------------------------------------------------


def test_dishonoured_exercise_is_undone_and_owes_the_mandatory_purchase_amount(db, clerk, deal_admin):
    w = make_world()
    warrant = f.WarrantFactory(financing=w.preferred.financing, investor=w.preferred.investor, shares=50_000)
    issued = Issuer.objects.get().shares_issued
    ex = ex_svc.exercise_submit(warrant=warrant, shares=10_000, exercise_date=CONV_DATE, payment_amount=D("16500"),
                                payment_date=CONV_DATE, idempotency_key=uuid.uuid4().hex, user=clerk)
    ex = ex_svc.exercise_dishonour(exercise=ex, notice_date=CONV_DATE, user=deal_admin)
    assert ex.status == WarrantExercise.Status.DISHONOURED and ex.dishonoured_date == CONV_DATE
    warrant.refresh_from_db()
    assert warrant.shares_remaining == 50_000 and Issuer.objects.get().shares_issued == issued
    assert Obligation.objects.get(kind=ObligationKind.WARRANT_DELIVERY).status == ObligationStatus.VOID
    mp = Obligation.objects.get(kind=ObligationKind.MANDATORY_PURCHASE)
    # 145% of the holder's $400,000 of unconverted Series J + dividends; 5 business days after Thursday 06-01
    assert D(mp.details["premium_amount"]) == D("580000.00") and mp.amount > D("580000.00")
    assert mp.due_date == datetime.date(2000, 6, 8) and mp.clause == "SPA 5(f)"
    assert mp.period_key == w.preferred.certificate_number
    assert cap_shares_issued(issuer_id=w.issuer.pk) == 0  # a dishonoured exercise issued nothing
    with pytest.raises(WorkflowError, match="dishonoured"):
        ex_svc.exercise_dishonour(exercise=ex, notice_date=CONV_DATE, user=deal_admin)


def test_delivered_exercise_cannot_be_dishonoured(db, clerk, deal_admin):
    w = make_world()
    warrant = f.WarrantFactory(financing=w.preferred.financing, investor=w.preferred.investor)
    ex = ex_svc.exercise_submit(warrant=warrant, shares=10, exercise_date=CONV_DATE, payment_amount=D("16.50"),
                                payment_date=CONV_DATE, idempotency_key=uuid.uuid4().hex, user=clerk)
    ex_svc.exercise_delivery_record(exercise=ex, delivered_date=CONV_DATE, reference="DWAC", user=clerk)
    with pytest.raises(WorkflowError) as e:
        ex_svc.exercise_dishonour(exercise=ex, notice_date=CONV_DATE, user=deal_admin)
    assert e.value.code == "wrong_status"
    assert not Obligation.objects.filter(kind=ObligationKind.MANDATORY_PURCHASE).exists()


def test_exercise_dishonour_page_is_for_deal_admins(db, clerk, deal_admin, client):
    w = make_world()
    warrant = f.WarrantFactory(financing=w.preferred.financing, investor=w.preferred.investor)
    ex = ex_svc.exercise_submit(warrant=warrant, shares=10, exercise_date=CONV_DATE, payment_amount=D("16.50"),
                                payment_date=CONV_DATE, idempotency_key=uuid.uuid4().hex, user=clerk)
    client.force_login(clerk)
    assert "Company rejected the exercise" not in client.get(f"/exercises/{ex.pk}/").content.decode()
    assert client.post(f"/exercises/{ex.pk}/dishonour/", {"notice_date": CONV_DATE.isoformat()}).status_code == 403
    client.force_login(deal_admin)
    assert "Company rejected the exercise" in client.get(f"/exercises/{ex.pk}/").content.decode()
    r = client.post(f"/exercises/{ex.pk}/dishonour/", {"notice_date": (CONV_DATE + datetime.timedelta(days=1)).isoformat()})
    assert r.status_code == 400 and "after the business date" in r.content.decode()
    r = client.post(f"/exercises/{ex.pk}/dishonour/", {"notice_date": CONV_DATE.isoformat()})
    assert r.status_code == 302
    assert WarrantExercise.objects.get().status == WarrantExercise.Status.DISHONOURED


def test_the_quote_reserve_counts_every_instrument_not_only_the_converted_one(db):
    w = make_world()
    f.WarrantFactory(financing=w.preferred.financing, shares=50_000)
    q = svc.conversion_quote(instrument=w.debenture, amount=D("20000"), conversion_date=CONV_DATE)
    # $400,000 Series J / $1.20 = 333,333 + $100,000 Debenture / $1.20 = 83,333; + 50,000 warrant shares
    assert q.reserve.conversion_shares == 333_333 + 83_333
    assert q.reserve.warrant_shares == 50_000
    assert q.reserve.required_shares == 624_999 + 50_000  # ceil(1.5 x 416,666)


def test_the_dashboard_shows_a_reserve_shortfall(db, clerk_client):
    deb = _debenture_only_world()
    Issuer.objects.update(authorized_common_shares=7_860_000 + 100_000)
    reserve_sync(deb.financing.issuer_id)
    body = clerk_client.get("/").content.decode()
    assert "Share reserve short by 25,000 shares" in body
    assert "SPA 3(c), 4(g)" in body


def test_exercise_review_page_says_what_stays_unexercised(capped, clerk_client):
    r = clerk_client.post("/exercises/new/", {
        "warrant": capped.warrant.pk, "shares": "10001", "exercise_date": CONV_DATE.isoformat(), "payment_amount": "16501.65",
        "payment_date": CONV_DATE.isoformat(), "idempotency_key": uuid.uuid4().hex,
    })
    body = r.content.decode()
    assert r.status_code == 200
    assert 'data-testid="unexercised"' in body and "10,001 (1 stay unexercised)" in body
    assert ">10,000 left under the 20% cap of 1,572,000; 42,140,000 authorized but unissued<" in body


def test_exercise_dishonour_with_inconsistent_warrant_records_is_refused_not_a_500(db, clerk, deal_admin):
    w = make_world()
    warrant = f.WarrantFactory(financing=w.preferred.financing, investor=w.preferred.investor, shares=50_000)
    ex = ex_svc.exercise_submit(warrant=warrant, shares=10, exercise_date=CONV_DATE, payment_amount=D("16.50"),
                                payment_date=CONV_DATE, idempotency_key=uuid.uuid4().hex, user=clerk)
    type(warrant).objects.filter(pk=warrant.pk).update(shares_remaining=49_995)  # records disagree (imported data)
    with pytest.raises(WorkflowError) as e:
        ex_svc.exercise_dishonour(exercise=ex, notice_date=CONV_DATE, user=deal_admin)
    assert e.value.code == "inconsistent" and "49,995 of its 50,000" in str(e.value)
    assert WarrantExercise.objects.get().status == WarrantExercise.Status.PENDING_DELIVERY


# --- SPA 4(g): a revoked or dishonoured conversion re-checks the reserve at once ----------------------------


def _undo(action, conv, user):
    if action == "revoke":  # SPA 5(c): the holder may revoke from 2000-06-12 (Delivery Date 06-06 + 3 business days)
        set_business_date(datetime.date(2000, 6, 12))
        return svc.conversion_revoke(conversion=conv, revoked_date=datetime.date(2000, 6, 12), user=user)
    set_business_date(datetime.date(2000, 6, 5))
    return svc.conversion_dishonour(conversion=conv, notice_date=datetime.date(2000, 6, 5), user=user)


@pytest.mark.parametrize("action", ["revoke", "dishonour"])
@pytest.mark.parametrize("margin,short", [(0, 0), (-1, 1)])
def test_undoing_a_conversion_rechecks_the_reserve_at_once(db, deal_admin, action, margin, short):
    """Undoing a $10,000 Series J conversion gives back its 8,333 shares (available +8,333) and
    restores $10,000 of preference: 83,333 + 333,333 = 416,666 conversion shares -> 624,999 required
    (150%, SPA 4(g)). Authorized shares at 7,860,000 + 624,999 (+ margin): exactly enough -> no row;
    one under -> the shortfall row opens on the day of the undo, no sweep."""
    w = make_world(end=datetime.date(2000, 7, 31))
    Issuer.objects.update(authorized_common_shares=7_860_000 + 624_999 + margin)
    conv = submit(w.preferred, "10000", deal_admin)
    assert conv.shares_issuable == 8_333
    assert not Obligation.objects.filter(kind=ObligationKind.RESERVE_SHORTFALL).exists()  # 616,666 unissued >= 612,500
    conv = _undo(action, conv, deal_admin)
    assert conv.status in (ConversionStatus.REVOKED, ConversionStatus.DISHONOURED)
    pos = reserve_position(issuer_id=w.issuer.pk, day=datetime.date(2000, 6, 5))
    assert pos.check.conversion_shares == 416_666 and pos.check.required_shares == 624_999
    rows = Obligation.objects.filter(kind=ObligationKind.RESERVE_SHORTFALL)
    if not short:
        assert not rows.exists()
        return
    row = rows.get()
    undo_day = conv.revoked_date or conv.dishonoured_date
    assert row.status == ObligationStatus.OPEN and row.due_date == undo_day
    assert "short by 1 shares: 624,999 required (150% of 416,666 conversion shares + 0 warrant shares), 624,998" in row.description
    assert row.history.first().history_user_id == deal_admin.pk  # who, when (audited)


def test_undoing_a_conversion_keeps_an_open_shortfall_current(db, deal_admin):
    """A shortfall already open when the conversion is dishonoured: the row's figures move at once
    (8,333 shares back, 12,500 more reserve: short by 4,167 more), same row, same arising day."""
    w = make_world(end=datetime.date(2000, 7, 31))
    Issuer.objects.update(authorized_common_shares=7_860_000 + 600_000)
    conv = submit(w.preferred, "10000", deal_admin)
    row = Obligation.objects.get(kind=ObligationKind.RESERVE_SHORTFALL)
    assert "short by 20,833 shares: 612,500 required" in row.description and row.due_date == CONV_DATE
    _undo("dishonour", conv, deal_admin)
    row.refresh_from_db()
    assert "short by 24,999 shares: 624,999 required" in row.description and row.due_date == CONV_DATE
    assert Obligation.objects.filter(kind=ObligationKind.RESERVE_SHORTFALL).count() == 1
