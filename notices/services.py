"""Notice requests. The notices issue replaces this stub with real rendering.

Workflows call ``notice_request`` inside their transaction once a record that
needs a notice (conversion, exercise, redemption) is written.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def notice_request(*, record, kind: str, user) -> None:
    """Ask for the notice of ``record`` (hook; rendering added by the notices issue)."""
    logger.info("notice requested: %s for %r by %s", kind, record, user)
