"""A 403 logs one line, not two tracebacks (issue 15 item 20)."""

import io
import logging

import pytest
from django.urls import reverse

from nhtc.logging import ForbiddenOneLine


@pytest.mark.django_db
def test_a_refused_request_is_logged_once_without_a_traceback(client, no_role_user):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ForbiddenOneLine())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        client.force_login(no_role_user)
        assert client.get(reverse("company_index")).status_code == 403
    finally:
        root.removeHandler(handler)
    out = stream.getvalue()
    assert out.count("Forbidden") == 1 and "/company/" in out
    assert "Traceback" not in out


def test_django_logger_has_no_handler_of_its_own():
    # the root handler prints django.request records once; Django's default console handler would print them again
    assert logging.getLogger("django").handlers == []
