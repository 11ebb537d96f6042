"""The obligations ledger: its writer, builders and the books (settlements)."""
