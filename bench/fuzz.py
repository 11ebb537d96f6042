"""The request fuzz (issue 15 item 14) against its two-minute CI budget: runs the hypothesis
fuzz of every form and every JSON POST (tests/security/test_fuzz_forms.py, tests/api/test_fuzz.py)
with the CI profile (``FUZZ_PROFILE``, default ``fuzz-ci``; see tests/fuzzing.py) and times it,
interpreter start and test setup included, on SQLite like CI.

    .venv/bin/python bench/fuzz.py

The last line printed is name=value pairs: the wall and CPU seconds, the budget and whether it held.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = ["tests/security/test_fuzz_forms.py", "tests/api/test_fuzz.py"]
BUDGET_SECONDS = 120


def main() -> int:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # SQLite, as in CI
    env.setdefault("FUZZ_PROFILE", "fuzz-ci")
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "pytest", *FILES, "-q", "-p", "no:cacheprovider"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    wall = time.monotonic() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = (proc.stdout.strip().splitlines() or ["(no output)"])[-1]
    print(summary)
    if proc.returncode:
        print(proc.stdout[-4000:], proc.stderr[-2000:], sep="\n")
    print(f"fuzz_profile={env['FUZZ_PROFILE']} fuzz_wall_s={wall:.1f} fuzz_cpu_s={usage.ru_utime + usage.ru_stime:.1f} "
          f"budget_s={BUDGET_SECONDS} within_budget={wall <= BUDGET_SECONDS} tests_passed={proc.returncode == 0}")
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main())
