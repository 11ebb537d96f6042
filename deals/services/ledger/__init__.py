"""The obligations ledger: its single writer (``writer``), one row builder per
``ObligationKind`` (``rows``) and the books (``settlements``, ``statements``).
Workflows and sweep rules both build rows here and hand them to the writer;
nothing else writes ``deals.models.Obligation``."""
