"""Issue 15 item 17: a Date of Conversion before the instrument existed says so (not "no deal
terms version in force"); a weekend, holiday or post-maturity Date of Conversion is accepted as
the readings say, and the review page notes it."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from deals.models import Conversion
from deals.services import conversions as svc
from tests import factories as f
from tests.services.test_conversions import make_world

D = Decimal
ISSUED = f.CLOSING  # 2000-01-14, a Friday


def post(client, instrument, day, *, received=None):
    key = f"{'debenture' if hasattr(instrument, 'number') else 'preferred'}:{instrument.pk}"
    return client.post(reverse("conversion_new"), {
        "instrument": key, "amount": "20000", "conversion_date": day.isoformat(), "notice_method": "facsimile",
        "notice_received_date": (received or day).isoformat(), "interest_election": "cash", "reference": "",
        "idempotency_key": uuid.uuid4().hex,
    })


@pytest.mark.parametrize("which", ["debenture", "preferred"])
def test_a_date_before_the_instrument_existed_says_so(db, clerk_client, which):
    w = make_world()
    instrument = getattr(w, which)
    day_before = ISSUED - datetime.timedelta(days=1)
    with pytest.raises(svc.WorkflowError) as err:
        svc.conversion_quote(instrument=instrument, amount=D("20000"), conversion_date=day_before)
    assert err.value.field == "conversion_date" and err.value.code == "before_issue"
    assert f"2000-01-13 is before {instrument.label} existed" in err.value.message and "2000-01-14" in err.value.message
    assert "deal terms" not in err.value.message
    r = post(clerk_client, instrument, day_before)
    html = r.content.decode()
    assert r.status_code == 200 and html.count(f"before {instrument.label} existed") == 1
    assert Conversion.objects.count() == 0


@pytest.mark.parametrize("which", ["debenture", "preferred"])
def test_on_the_issue_day_the_existence_check_passes(db, which):
    w = make_world()
    instrument = getattr(w, which)
    try:
        svc.conversion_quote(instrument=instrument, amount=D("20000"), conversion_date=ISSUED)
    except svc.WorkflowError as err:  # e.g. not yet convertible (Debenture 4(A)): another rule, not existence
        assert "existed" not in err.message


def test_before_a_financing_without_terms_yet_the_instrument_rule_speaks_first(db):
    w = make_world()
    fin = f.FinancingFactory(terms=False, name="Late Debentures")
    f.DealTermsVersionFactory(financing=fin, effective_from=datetime.date(2000, 3, 1), reason="v1")
    deb = f.DebentureFactory(financing=fin, issue_date=datetime.date(2000, 3, 1), dated_date=datetime.date(2000, 3, 1),
                             closing_date=datetime.date(2000, 3, 1))
    with pytest.raises(svc.WorkflowError, match=r"before Debenture D-\d+ existed"):
        svc.conversion_quote(instrument=deb, amount=D("20000"), conversion_date=datetime.date(2000, 2, 29))
    assert w.debenture.pk != deb.pk


@pytest.mark.parametrize("day, kind", [
    (datetime.date(2000, 6, 3), "a Saturday"),
    (datetime.date(2000, 6, 4), "a Sunday"),
    (datetime.date(2000, 7, 4), "a day the NYSE is closed"),  # Independence Day
])
def test_a_weekend_or_holiday_date_of_conversion_is_accepted_and_noted(db, clerk_client, day, kind):
    w = make_world(today=day + datetime.timedelta(days=1))  # recorded the next day (the fax-date limit)
    r = post(clerk_client, w.debenture, day)
    html = r.content.decode()
    assert r.status_code == 200 and 'data-testid="shares"' in html, html[html.find("alert"):][:400]  # the review page
    assert f"The Date of Conversion {day.isoformat()} is {kind}, not a trading day" in html
    assert "Debenture 4(A)" in html


def test_a_trading_day_before_maturity_has_no_note(db, clerk_client):
    w = make_world()
    html = post(clerk_client, w.debenture, datetime.date(2000, 6, 1)).content.decode()
    assert 'data-testid="shares"' in html and 'data-testid="date-note"' not in html


def test_after_the_maturity_date_the_conversion_is_accepted_and_noted(db, clerk_client):
    w = make_world()
    deb = f.DebentureFactory(investor=w.debenture.investor, maturity_date=datetime.date(2000, 5, 31))
    html = post(clerk_client, deb, datetime.date(2000, 6, 1)).content.decode()
    assert 'data-testid="shares"' in html
    assert f"is after the Maturity Date of {deb.label}, 2000-05-31" in html and "Debenture 5" in html
    # on the Maturity Date itself: no note
    html = post(clerk_client, deb, datetime.date(2000, 5, 31), received=datetime.date(2000, 5, 31)).content.decode()
    assert 'data-testid="shares"' in html and 'data-testid="date-note"' not in html
