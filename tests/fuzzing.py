"""Hypothesis settings for the request fuzzers (issue 15 item 14): every form and every JSON
POST is fuzzed in CI within the two-minute budget, with fewer examples per form rather than
fewer forms.

Profiles (``FUZZ_PROFILE``, default ``fuzz-ci``):
- ``fuzz-ci``: derandomised (the same examples every run, no example database), no deadline,
  3 examples per form (the page fuzz renders a whole page per example) and 15 per API endpoint;
- ``fuzz-thorough``: random, 50 per form and 200 per endpoint, for a long local run.
``FUZZ_EXAMPLES`` still overrides the per-form count."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = dict(deadline=None, database=None, suppress_health_check=list(HealthCheck))
settings.register_profile("fuzz-ci", derandomize=True, max_examples=3, **_COMMON)
settings.register_profile("fuzz-thorough", derandomize=False, max_examples=50, **_COMMON)

PROFILE_NAME = os.environ.get("FUZZ_PROFILE", "fuzz-ci")
PROFILE = settings.get_profile(PROFILE_NAME)
FORM_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", PROFILE.max_examples))
API_EXAMPLES = {"fuzz-ci": 15, "fuzz-thorough": 200}.get(PROFILE_NAME, 15)


def form_settings() -> settings:
    """Per form (a page render per example)."""
    return settings(PROFILE, max_examples=FORM_EXAMPLES)


def api_settings() -> settings:
    """Per JSON endpoint (no page render: cheaper, so more examples)."""
    return settings(PROFILE, max_examples=API_EXAMPLES)
