"""Company-side workflows: registration statements and suspensions (RRA 2,
3), liquidated damages (RRA 2(b)), first refusal and price protection (SPA
4(j)), Events of Default (Debenture 10), outbound notices (SPA 10) and
indemnification claims (Indemnification Agreement; RRA 6).

The monthly liquidated-damages statement PDF is the ``ld_statement`` notice
kind registered in ``notices.kinds``.
"""
