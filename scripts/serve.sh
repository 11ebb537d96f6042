#!/usr/bin/env bash
# Serve the app. With REDIS_URL set, also start a Celery worker and beat,
# restart either if it dies, and stop them when the server stops (Ctrl-C
# exits cleanly). Without it, tasks run in-process and the deadline sweep
# runs by `python manage.py sweep --catch-up` (README).
set -uo pipefail
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
PY=.venv/bin/python
RESTART_DELAY=${RESTART_DELAY:-2}
state=$(mktemp -d)
pids=()
server=""

cleanup() {
  touch "$state/stop"
  [ -n "$server" ] && kill -TERM "$server" 2>/dev/null || true
  for p in "${pids[@]}"; do
    pkill -TERM -P "$p" 2>/dev/null || true   # the worker or beat the loop is running
    kill -TERM "$p" 2>/dev/null || true       # the loop itself
  done
  wait 2>/dev/null || true
  rm -rf "$state"
}
stop() { echo; echo "Stopping."; cleanup; trap - EXIT; exit 0; }
trap stop INT TERM
trap cleanup EXIT

# Run "$@" again whenever it exits (a killed worker comes back), until we stop.
supervise() {
  while [ ! -e "$state/stop" ]; do
    "$@" &
    wait $! && code=0 || code=$?
    [ -e "$state/stop" ] && break
    echo "serve.sh: '$*' exited with status $code; restarting in ${RESTART_DELAY}s." >&2
    sleep "$RESTART_DELAY"
  done
}

# On one machine the worker renders the notices in the CPU time the web requests leave: a clerk
# waits on a page, a notice has business days (WORKER_NICE=0: the same priority).
WORKER_NICE=${WORKER_NICE:-10}
if [ -n "${REDIS_URL:-}" ]; then
  echo "REDIS_URL is set: starting a Celery worker (nice $WORKER_NICE) and beat (restarted if they die)."
  supervise nice -n "$WORKER_NICE" .venv/bin/celery -A nhtc worker --loglevel=INFO & pids+=($!)
  # The schedule file lives in the project (CELERY_BEAT_SCHEDULE_FILENAME), one per checkout.
  supervise .venv/bin/celery -A nhtc beat --loglevel=INFO & pids+=($!)
else
  echo "No REDIS_URL: background jobs run in-process; run 'python manage.py sweep --catch-up' for scheduled sweeps."
fi
echo "Serving on http://$HOST:$PORT/ (Ctrl-C stops everything)"
if [ "${DJANGO_ENV:-}" = "production" ]; then
  $PY manage.py collectstatic --noinput >/dev/null
  .venv/bin/gunicorn nhtc.wsgi --bind "$HOST:$PORT" --workers 3 &
else
  $PY manage.py runserver "$HOST:$PORT" --noreload &
fi
server=$!
wait "$server"
