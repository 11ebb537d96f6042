"""The cap count and the Meeting Date issuances are per issuer (SPA 4(d)(ii)); with one issuer in
the database the selectors skip the joins to the financing (issue 17 speed), and the figures must
be the same either way. A second issuer's Series J conversions, exercises and Debenture
conversions never count for the first."""

import datetime

from deals.models import Financing
from deals.selectors import cap as cap_sel
from tests import factories as f
from tests.services.test_cap_limits import SPA_DATE, _exercise_row
from tests.services.test_conversions import make_world
from tests.sweeps.conftest import make_conversion

DAY = SPA_DATE + datetime.timedelta(days=10)


def _book(world, user, shares, exercise):
    fin = world.preferred.financing
    Financing.objects.filter(pk=fin.pk).update(agreement_date=SPA_DATE)
    tv = fin.terms_versions.get()
    make_conversion(user=user, terms_version=tv, preferred=world.preferred, delivery_date=DAY, conversion_date=DAY,
                    shares_issuable=shares)
    make_conversion(user=user, terms_version=world.debenture.financing.terms_versions.get(), debenture=world.debenture,
                    delivery_date=DAY, conversion_date=DAY, shares_issuable=shares * 10)
    _exercise_row(f.WarrantFactory(financing=fin), user, exercise, DAY)


def test_one_issuer_then_two_issuers_count_only_their_own(db, clerk):
    a = make_world()
    _book(a, clerk, 1_000, 300)
    issuer_a = a.preferred.financing.issuer_id
    assert cap_sel.issuer_scope(issuer_a).only
    alone = cap_sel.cap_shares_issued(issuer_id=issuer_a)
    alone_days = sorted(cap_sel.meeting_issuances(issuer_id=issuer_a))
    assert alone == 1_300  # Series J 1,000 + exercise 300; the Debenture's 10,000 do not count
    assert sum(n for _, n in alone_days) == 11_300  # the Meeting Date counts every issuance (Debenture too)

    other = f.IssuerFactory(name="Other Issuer Inc.")  # a second issuer with its own financings and a bigger book
    b = type("World", (), {"preferred": f.PreferredHoldingFactory(financing=f.SeriesJFinancingFactory(issuer=other)),
                           "debenture": f.DebentureFactory(financing=f.FinancingFactory(issuer=other))})
    _book(b, clerk, 5_000, 700)
    assert not cap_sel.issuer_scope(issuer_a).only
    assert cap_sel.cap_shares_issued(issuer_id=issuer_a) == alone
    assert sorted(cap_sel.meeting_issuances(issuer_id=issuer_a)) == alone_days
    assert cap_sel.cap_shares_issued(issuer_id=b.preferred.financing.issuer_id) == 5_700
    assert cap_sel.cap_shares_issued(issuer_id=None, since=None) == 1_300 + 5_700

