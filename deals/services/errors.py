"""The error every workflow step raises on input it cannot act on."""

from __future__ import annotations


class WorkflowError(Exception):
    """A workflow step cannot run on the given input. ``str(err)`` is the clerk-readable reason.

    ``field`` names the form field at fault (or None); ``code`` is stable for tests and callers;
    ``missing_dates`` lists trading days without a closing bid (the view links to the price import).
    """

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None, missing_dates=()):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.missing_dates = tuple(missing_dates)
