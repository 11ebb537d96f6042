"""Company-side workflows: registration statements and suspensions (RRA 2,
3), liquidated damages (RRA 2(b)), first refusal and price protection (SPA
4(j)), Events of Default (Debenture 10), outbound notices (SPA 10) and
indemnification claims (Indemnification Agreement; RRA 6).

Importing the package registers the ``ld_statement`` notice kind.
"""

from deals import notices_ld  # noqa: F401  (registers the ld_statement notice kind)
