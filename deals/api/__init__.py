"""REST API (Django REST framework + drf-spectacular) over the same selectors and
workflow services the pages use. URLs under /api/; see docs/architecture.md, "REST API"."""
