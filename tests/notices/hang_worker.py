"""Celery app for the worker-killed tests: the project's app, whose PDF render blocks
once -- while the file named by NHTC_TEST_HANG_MARKER exists; the blocked process
removes it and writes its pid to ``<marker>.started`` so the test knows whom to kill."""

import os
import time

from celery import signals

from nhtc.celery import app  # noqa: F401 -- the app the worker runs

_patched = False


@signals.task_prerun.connect
def _hang_once(**kwargs):
    global _patched
    if _patched:
        return
    from notices import rendering

    original = rendering.html_to_pdf

    def html_to_pdf(html):
        marker = os.environ.get("NHTC_TEST_HANG_MARKER", "")
        if marker and os.path.exists(marker):
            os.remove(marker)
            with open(marker + ".started", "w") as fh:
                fh.write(str(os.getpid()))
            time.sleep(300)  # killed long before this ends
        return original(html)

    rendering.html_to_pdf = html_to_pdf
    _patched = True
