"""Logging helpers (issue 15 item 20): a refused request (403) is one line, not a traceback."""

import logging


class ForbiddenOneLine(logging.Filter):
    """Drop the traceback of ``django.request``'s "Forbidden" records: a PermissionDenied is a
    decision, not an error; the line (method, path, status) is enough."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.request" and getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
