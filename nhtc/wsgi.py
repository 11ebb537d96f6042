"""WSGI entry point (gunicorn nhtc.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhtc.settings")
application = get_wsgi_application()
