"""Registration Period end (RRA 3(a)) and indemnification survival (Indemnification 6)."""

from __future__ import annotations

from deals.models import IndemnificationClaim, Issuer, RegistrationStatement
from deals.selectors.terms import TermsUnavailable
from deals.services.ledger.writer import Row
from deals.services.sweeps.context import Context, K, RuleStats, _effective, _milestone, _registrations, _write
from deals.terms import registration as reg
from deals.terms.misc import INDEMNIFICATION_DATE, indemnification_survival

# --- rule 11: Registration Period end; indemnification survival ------------------------------


def rule_period_ends(ctx: Context) -> RuleStats:
    """RRA 3(a): the Registration Period ends two years after the last day of the month
    following the Effective Date (or earlier, ``registration.registration_period``);
    Indemnification 6: obligations operative for three years after October 31, 2006."""
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
        st, sat = _milestone(period.ends_on, as_of)
        st_rows.append(Row(K.REGISTRATION_PERIOD_END, period.clause, r.statement.pk, period.ends_on, status=st, satisfied_date=sat,
                           description=f"Registration Period ends ({period.ended_by})", details=period.as_dict()))
    survival = indemnification_survival()
    claim_rows, issuer_rows = [], []
    for claim in IndemnificationClaim.objects.order_by("pk"):
        due = claim.survival_deadline or survival.last_operative_day
        st, sat = _milestone(due, as_of)
        claim_rows.append(Row(K.INDEMNIFICATION_SURVIVAL, survival.clause, claim.pk, due, status=st, satisfied_date=sat,
                              description=f"Claim by {claim.claimant}: indemnification operative through {due.isoformat()}"))
    if as_of >= INDEMNIFICATION_DATE:
        due = survival.last_operative_day
        st, sat = _milestone(due, as_of)
        issuer_rows = [Row(K.INDEMNIFICATION_SURVIVAL, survival.clause, i.pk, due, status=st, satisfied_date=sat,
                           description=f"Indemnification Agreement operative through {due.isoformat()} (3 years after "
                                       f"{INDEMNIFICATION_DATE.isoformat()})", details=survival.as_dict())
                       for i in Issuer.objects.order_by("pk")]
    _write(ctx, stats, {ctx.ct(RegistrationStatement): st_rows, ctx.ct(IndemnificationClaim): claim_rows, ctx.ct(Issuer): issuer_rows})
    return stats


