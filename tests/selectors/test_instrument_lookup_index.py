"""Issue 17: the forms find an instrument by its number, case ignored (``instrument_resolve``,
``iexact``). On PostgreSQL that is ``UPPER(number::text) = UPPER(%s)``, which the plain unique
index on the number cannot answer: every review and confirm read all the debentures and Series J
holdings (7-10 ms each at (b)). The ``*_number_upper`` expression indexes answer it; this checks
the planner can use them for the very query the selector sends (with sequential scans priced out,
since a test table is small enough to scan)."""

import pytest
from django.db import connection

from deals.models import Debenture, PreferredHolding, Warrant
from deals.selectors.instruments import _base, _number_field
from tests import factories as f

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans (EXPLAIN)"),
]


@pytest.mark.parametrize("model,index", [(Debenture, "debenture_number_upper"), (PreferredHolding, "preferred_number_upper"),
                                         (Warrant, "warrant_number_upper")])
def test_number_lookup_uses_the_upper_index(db, model, index):
    {Debenture: f.DebentureFactory, PreferredHolding: f.PreferredHoldingFactory, Warrant: f.WarrantFactory}[model]()
    qs = _base(model, False).select_related("investor", "financing__issuer").filter(
        **{f"{_number_field(model)}__iexact": "dg-0000123"})[:2]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert index in plan, plan
