"""Open Cap Table Format (OCF 1.2.0) export and import, validated against the vendored
OCF JSON Schemas (``deals/ocf/schema/``, Open Cap Table Coalition, see its LICENSE.md)."""
