"""Issue 18 / issue 11: one ``terms_in_force(financing=, day=)`` with one rule for "no version
in force", and no code path that looks terms up without a financing."""

import datetime
import pathlib
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals import models as m
from deals.selectors.terms import NoTermsInForce, TermsBook, terms_in_force
from deals.services.calendar import business_date_set
from deals.services.errors import WorkflowError
from tests import factories as f

D = datetime.date
ROOT = pathlib.Path(__file__).resolve().parents[2]


DISCOUNT = "preferred_discount_pct"


@pytest.fixture
def two(db):
    """A Series J financing with v1 (1999) and v2 (2000-06-15), a debenture financing with v1 only."""
    sj = f.SeriesJFinancingFactory(name="Series J")
    f.DealTermsVersionFactory(financing=sj, effective_from=D(2000, 6, 15), **{DISCOUNT: Decimal("75")})
    deb = f.FinancingFactory(name="Debentures")
    return sj, deb


@pytest.mark.parametrize("day,expected", [(D(2000, 6, 14), 1), (D(2000, 6, 15), 2), (D(2000, 6, 16), 2)])
def test_the_latest_version_of_that_financing_effective_on_or_before_the_day(two, day, expected):
    sj, deb = two
    assert terms_in_force(financing=sj, day=day).version.version == expected
    assert terms_in_force(financing=deb, day=day).version.version == 1  # another financing's change is not its own
    book = TermsBook()
    assert book.in_force(financing=sj.pk, day=day).version.version == expected
    assert book.in_force(financing=deb.pk, day=day).version.version == 1


def test_same_effective_date_the_higher_version_wins(two):
    sj, _ = two
    v3 = f.DealTermsVersionFactory(financing=sj, effective_from=D(2000, 6, 15))
    assert terms_in_force(financing=sj, day=D(2000, 6, 15)).version == v3
    assert TermsBook().in_force(financing=sj, day=D(2000, 6, 15)).version == v3


def test_no_version_in_force_names_the_financing_and_the_date(db):
    fin = f.FinancingFactory(name="Debentures 2003", terms__effective_from=D(2003, 2, 1), agreement_date=None,
                             initial_closing_date=None)
    with pytest.raises(NoTermsInForce) as err:
        terms_in_force(financing=fin, day=D(2003, 1, 31))
    text = str(err.value)
    assert "Debentures 2003" in text and "2003-01-31" in text and "2003-02-01" in text
    # views catch either type: conversions/exercises/redemptions a WorkflowError, company forms a ValidationError
    assert isinstance(err.value, WorkflowError) and isinstance(err.value, ValidationError)
    assert err.value.code == "no_terms"
    with pytest.raises(NoTermsInForce, match="Debentures 2003"):
        TermsBook().in_force(financing=fin.pk, day=D(2003, 1, 31))
    assert terms_in_force(financing=fin, day=D(2003, 2, 1)).version.version == 1  # on the date: in force


def test_a_financing_without_terms_says_so(db):
    fin = f.FinancingFactory(name="Bare", terms=False)
    with pytest.raises(NoTermsInForce, match="Bare.*has no terms yet"):
        terms_in_force(financing=fin, day=D(2000, 6, 1))


def test_a_day_before_the_financing_existed_says_so(db):
    fin = f.FinancingFactory(name="Series K", agreement_date=D(2004, 5, 3), initial_closing_date=D(2004, 5, 10),
                             terms__effective_from=D(2004, 5, 3))
    with pytest.raises(NoTermsInForce, match=r"1999-06-01 is before Series K existed .*2004-05-03"):
        terms_in_force(financing=fin, day=D(1999, 6, 1))


def test_a_conversion_whose_financing_has_no_version_in_force_is_refused_and_nothing_written(db, clerk):
    from deals.services import conversions as svc

    business_date_set(day=D(2000, 6, 1))
    f.price_series(D(2000, 4, 1), D(2000, 6, 1), bid=Decimal("1.5"))
    deb = f.DebentureFactory(financing=f.FinancingFactory(name="Debentures 2000", terms__effective_from=D(2000, 6, 1)))
    with pytest.raises(WorkflowError) as err:
        svc.conversion_submit(instrument=deb, amount=Decimal("10000"), conversion_date=D(2000, 5, 31),
                              notice_method="facsimile", notice_received_date=D(2000, 5, 31), idempotency_key="k-1", user=clerk)
    assert err.value.code == "no_terms"
    assert "Debentures 2000" in err.value.message and "2000-05-31" in err.value.message
    assert not m.Conversion.objects.exists()
    deb.refresh_from_db()
    assert deb.principal_outstanding == deb.principal


# --- no unscoped lookups ---------------------------------------------------------------------

_FORBIDDEN = (
    re.compile(r"\bin_force_on\b"),  # the old manager method
    re.compile(r"\bterms_on\("),  # the old sweep Context method
    re.compile(r"effective_from__lte?\b"),  # an in-force query outside the selector
    re.compile(r"terms_in_force\((?!\s*\*|self|\s*financing=|financing=)"),  # positional: no financing
)
_ALLOWED = {"deals/selectors/terms.py"}


def test_no_code_outside_the_selector_looks_terms_up_without_a_financing():
    offenders = []
    for base in ("deals", "notices", "nhtc", "bench"):
        for path in (ROOT / base).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel in _ALLOWED or "/migrations/" in rel:
                continue
            for n, line in enumerate(path.read_text().splitlines(), 1):
                if any(p.search(line) for p in _FORBIDDEN):
                    offenders.append(f"{rel}:{n}: {line.strip()}")
    assert not offenders, "unscoped terms lookups:\n" + "\n".join(offenders)


def _terms_selects(queries) -> list[str]:
    return [q["sql"] for q in queries if 'FROM "deals_dealtermsversion"' in q["sql"] and "effective_from" in q["sql"].split("WHERE")[-1]]


def test_workflows_and_the_sweep_only_ask_for_a_financings_terms(db, clerk):
    """Every in-force query the code runs (a conversion, an exercise, a redemption, the company
    overview and a whole sweep) filters on the financing."""
    from deals.services import conversions, exercises, redemptions
    from deals.services.company import registration
    from deals.services.sweeps import sweep_run

    business_date_set(day=D(2000, 6, 1))
    f.price_series(D(2000, 3, 1), D(2000, 6, 1), bid=Decimal("1.5"))
    deb, pref, war = f.DebentureFactory(), f.PreferredHoldingFactory(), f.WarrantFactory()
    with CaptureQueriesContext(connection) as ctx:
        conversions.conversion_submit(instrument=deb, amount=Decimal("10000"), conversion_date=D(2000, 6, 1),
                                      notice_method="facsimile", notice_received_date=D(2000, 6, 1), idempotency_key="a", user=clerk)
        conversions.conversion_quote(instrument=pref, amount=Decimal("10000"), conversion_date=D(2000, 6, 1))
        exercises.exercise_quote(warrant=war, shares=100, exercise_date=D(2000, 6, 1), payment_amount=Decimal("165"),
                                 payment_date=D(2000, 6, 1))
        redemptions.redemption_preview(debenture=f.DebentureFactory(), notice_date=D(2000, 6, 1), received_date=D(2000, 6, 1))
        registration.registration_overview(financing=pref.financing, as_of=D(2000, 6, 1))
        sweep_run(as_of=D(2000, 6, 1), triggered_by="test")
    selects = _terms_selects(ctx.captured_queries)
    assert selects, "the workflows read terms in force"
    assert all('"financing_id"' in s.split("WHERE")[-1] for s in selects), selects


def test_company_pages_of_a_financing_without_terms_say_so_instead_of_failing(db, clerk_client):
    fin = f.SeriesJFinancingFactory(name="Series K (no terms yet)", terms=False)
    r = clerk_client.get(f"/company/registration/{fin.pk}/", follow=True)
    assert r.status_code == 200
    assert "Series K (no terms yet)" in r.content.decode() and "has no terms yet" in r.content.decode()
    r = clerk_client.get(f"/company/damages/{fin.pk}/", follow=True)
    assert r.status_code == 200 and "has no terms yet" in r.content.decode()
