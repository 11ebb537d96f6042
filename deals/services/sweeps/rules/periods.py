"""Registration Period end (RRA 3(a)), indemnification survival (Indemnification 6) and the
holders' window before a Sale (Debenture 7)."""

from __future__ import annotations

from deals.models import IndemnificationClaim, Issuer, RegistrationStatement, SaleEvent
from deals.selectors.terms import TermsUnavailable
from deals.services.ledger import rows as build
from deals.services.ledger.sync import claim_row, sale_window_rows
from deals.services.sweeps.context import Context, RuleStats, _effective, _registrations, _write
from deals.terms import registration as reg
from deals.terms.misc import INDEMNIFICATION_DATE, indemnification_survival

# --- rule 11: Registration Period end; indemnification survival ------------------------------


def rule_period_ends(ctx: Context) -> RuleStats:
    """RRA 3(a): the Registration Period ends two years after the last day of the month
    following the Effective Date (or earlier, ``registration.registration_period``);
    Indemnification 6: obligations operative for three years after October 31, 2006;
    Debenture 7: the holders' 15-day window to convert before a Sale passes."""
    stats = RuleStats()
    as_of = ctx.as_of
    st_rows = []
    for r in _registrations():
        eff = _effective(r.statement.effective_date if r.statement else None, as_of)
        if eff is None:
            continue
        try:
            terms = ctx.terms_in_force(financing=r.financing.pk, day=r.financing.initial_closing_date)
        except TermsUnavailable as err:
            stats.notes.append(str(err))
            continue
        period = reg.registration_period(effective_date=eff, terms=terms)
        st_rows.append(build.registration_period_end(statement_id=r.statement.pk, period=period, as_of=as_of))
    claim_rows = [row for row in (claim_row(c, as_of=as_of) for c in IndemnificationClaim.objects.order_by("pk")) if row]
    issuer_rows = []
    if as_of >= INDEMNIFICATION_DATE:
        survival = indemnification_survival()
        issuer_rows = [build.indemnification_agreement(issuer_id=i.pk, survival=survival, agreement_date=INDEMNIFICATION_DATE,
                                                       as_of=as_of) for i in Issuer.objects.order_by("pk")]
    sale_rows = sale_window_rows(SaleEvent.objects.order_by("pk"), as_of=as_of)
    _write(ctx, stats, {ctx.ct(RegistrationStatement): st_rows, ctx.ct(IndemnificationClaim): claim_rows, ctx.ct(Issuer): issuer_rows,
                        ctx.ct(SaleEvent): sale_rows})
    return stats
