#!/usr/bin/env bash
# Serve the app. With REDIS_URL set, also start a Celery worker and beat and
# stop them when the server stops. Without it, tasks run in-process and the
# deadline sweep runs by `python manage.py sweep --catch-up` (README).
set -euo pipefail
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
PY=.venv/bin/python
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
if [ -n "${REDIS_URL:-}" ]; then
  echo "REDIS_URL is set: starting a Celery worker and beat."
  .venv/bin/celery -A nhtc worker --loglevel=INFO & pids+=($!)
  .venv/bin/celery -A nhtc beat --loglevel=INFO --schedule /tmp/nhtc-celerybeat-schedule & pids+=($!)
else
  echo "No REDIS_URL: background jobs run in-process; run 'python manage.py sweep --catch-up' for scheduled sweeps."
fi
echo "Serving on http://$HOST:$PORT/"
if [ "${DJANGO_ENV:-}" = "production" ]; then
  $PY manage.py collectstatic --noinput >/dev/null
  exec .venv/bin/gunicorn nhtc.wsgi --bind "$HOST:$PORT" --workers 3
fi
$PY manage.py runserver "$HOST:$PORT" --noreload
