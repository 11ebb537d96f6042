# Two commands are a contract (README): `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv lint check migrate demo worker beat clean bench

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

## Set up and serve the app at http://$(HOST):$(PORT) (worker + beat too when REDIS_URL is set).
run: venv
	@scripts/check_system_libs.sh
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo_deal
	$(PY) manage.py sweep --catch-up
	$(PY) manage.py create_demo_users
	HOST=$(HOST) PORT=$(PORT) scripts/serve.sh

## Set up and run the whole test suite.
test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .

check: venv
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null
	DJANGO_ENV=production SECRET_KEY=check-deploy-$$(date +%s)-not-a-real-key-but-long-enough-xxxxxxxxxxxxxxxx \
	  ALLOWED_HOSTS=backoffice.example.com $(PY) manage.py check --deploy --fail-level WARNING

worker: venv
	$(VENV)/bin/celery -A nhtc worker --loglevel=INFO

beat: venv
	$(VENV)/bin/celery -A nhtc beat --loglevel=INFO

bench: venv
	for f in bench/*.py; do echo "== $$f"; $(PY) $$f; done

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
