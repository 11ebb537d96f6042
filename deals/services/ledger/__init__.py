"""The obligations ledger: its single writer (``writer``) and one row builder per
``ObligationKind`` (``rows``). Workflows and sweep rules both build rows here and hand
them to the writer; nothing else writes ``deals.models.Obligation``."""
