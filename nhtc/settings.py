"""Settings, all from environment variables (12-factor).

Embedded default: SQLite file in the project directory, no Redis (Celery runs
tasks eagerly in-process; scheduled jobs run by ``manage.py sweep``).
Production: ``DJANGO_ENV=production`` with ``DATABASE_URL`` (PostgreSQL),
``REDIS_URL``, ``SECRET_KEY`` and ``ALLOWED_HOSTS`` -- start-up stops with a
message naming any missing variable.
"""

from __future__ import annotations

import datetime
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from nhtc.storage import media_storage

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"


def _required_in_production(name: str, default):
    value = env.str(name, default="")
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_ENV=production (see README.md, 'Configuration').")
    return default


SECRET_KEY = _required_in_production("SECRET_KEY", "dev-only-insecure-key-not-for-production")
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = [h.strip() for h in _required_in_production("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "nhtc.apps.BackOfficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "health_check",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "deals",
    "notices",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "nhtc.security.NulCharacterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "nhtc.security.SessionIdleTimeoutMiddleware",
    "nhtc.security.NoStoreMiddleware",
    "nhtc.security.OutOfRangeMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "nhtc.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "nhtc.context_processors.app_context",
            ],
            # |money, |price, |shares everywhere: the one formatter (nhtc.formatting)
            "builtins": ["nhtc.templatetags_formatting"],
        },
    },
]

WSGI_APPLICATION = "nhtc.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Concurrent web + worker access: wait for the write lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    if not env.bool("PG_JIT", default=False):
        # The pages aggregate the ledger in one statement each; JIT compilation of those costs
        # more than running them (bench/ledger.py). PG_JIT=1 restores the server's default.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = (options.get("options", "") + " -c jit=off").strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# --- Login throttling (django-axes) -------------------------------------------
# The lockout backend runs first: a locked-out username+IP is refused before any password is
# hashed. ``nhtc.security`` adds a cheaper per-IP check before authentication starts.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)  # the Nth failure for a username+IP locks
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # one row per failure: username, IP, user agent, time
AXES_SENSITIVE_PARAMETERS = []  # the log line names the username and IP (the password is never logged)
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "nhtc.security.client_ip"
# Failures from one IP across all usernames that close the login page to that IP (no hashing).
LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=20)

# --- Sessions ---------------------------------------------------------------------
# Idle limit and absolute limit, in seconds (nhtc.security.SessionIdleTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=10 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Content-Security-Policy (django-csp) -----------------------------------------------
# Everything from our own origin; no inline script or style (templates use static files only).
# ``data:`` images for Bootstrap's inline SVG icons (navbar toggler, close buttons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# A TLS-terminating proxy in front (nginx, a load balancer): trust its X-Forwarded-Proto and
# X-Forwarded-For. Off unless the deployment says so -- otherwise any client could claim HTTPS.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Moving the business date more than this many business days forward asks for confirmation
# (deals.forms.admin.BusinessDateAdminForm; issue 15 item 10).
BUSINESS_DATE_CONFIRM_DAYS = env.int("BUSINESS_DATE_CONFIRM_DAYS", default=5)
# Issue 12 (maker-checker): a payment above this many dollars waits for a second deal admin's approval
# (waivers always do). A decimal string, e.g. "100000" or "25000.00".
APPROVAL_PAYMENT_THRESHOLD = env.str("APPROVAL_PAYMENT_THRESHOLD", default="100000")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
# Contract deadlines are New York dates (SPA 10 notices, business days).
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "media/"  # never served directly: notices are downloaded through a permission-checked view
# The notices' PDFs: the filesystem, or an S3-compatible bucket shared by every machine (nhtc/storage.py)
STORAGES = {
    "default": media_storage(lambda name, default: env.str(name, default=default)),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

WHITENOISE_USE_FINDERS = not PRODUCTION

# --- REST API (deals/api) ---------------------------------------------------
# Per-user tokens (django-rest-knox, hashed at rest) or the browser session; the
# roles of deals/services/roles.py apply exactly as on the pages.
KNOX_TOKEN_MODEL = "deals.ApiToken"
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=365)),
    "TOKEN_PREFIX": "nhtc_",
    "AUTH_HEADER_PREFIX": "Token",
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "deals.api.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["deals.api.permissions.IsClerk"],
    "DEFAULT_PAGINATION_CLASS": "deals.api.pagination.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_PARSER_CLASSES": ["deals.api.parsers.DecimalJSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["deals.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env.str("API_THROTTLE_RATE", default="1200/min")},
    "EXCEPTION_HANDLER": "deals.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "NHTC back office API",
    "DESCRIPTION": (
        "Series J Convertible Preferred, warrants and 6% Convertible Debentures: reads, workflow writes "
        "(the same services and messages as the pages), cap table. Errors: {code, message, field, details}."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "InstrumentStatusEnum": "deals.models.instruments.InstrumentStatus",
        "ConversionStatusEnum": "deals.models.records.ConversionStatus",
        "InterestElectionEnum": "deals.models.records.InterestElection",
        "DayCountEnum": "deals.api.schema.DAY_COUNT",
        "LookbackMethodEnum": "deals.api.schema.LOOKBACK_METHOD",
        "ShareRoundingEnum": "deals.api.schema.SHARE_ROUNDING",
    },
}
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
SIMPLE_HISTORY_REVERT_DISABLED = True  # history pages are read-only (nhtc.admin.ReadOnlyHistoryAdmin)

# --- Celery -------------------------------------------------------------
# With REDIS_URL: broker and result backend on Redis, a worker and beat run
# the tasks. Without it (embedded default): tasks run eagerly in the calling
# process and ``manage.py sweep --catch-up`` runs the scheduled jobs -- a
# real mode, documented in README.md, never a silent no-op.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- faults: queue down, worker killed, worker health (issue 15 items 6, 7, 9) ----
# A request that queues work never waits long on a dead broker: publishing
# does not retry (notices.services._enqueue) and connecting gives up quickly.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=3.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # An unacknowledged (acks_late) message whose worker died is delivered again after this.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "socket_connect_timeout": 3,
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # with acks_late: a dying worker holds at most one extra message
# Beat keeps its schedule file in the project (one per checkout), not in the system temp folder.
CELERY_BEAT_SCHEDULE_FILENAME = env.str("CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / "celerybeat-schedule"))
# Notices stuck without a worker are queued again (notices.services.notices_requeue_stuck).
NOTICE_STALE_RENDER_MINUTES = env.int("NOTICE_STALE_RENDER_MINUTES", default=10)
NOTICE_STALE_PENDING_MINUTES = env.int("NOTICE_STALE_PENDING_MINUTES", default=5)
NOTICE_REQUEUE_EVERY_SECONDS = env.int("NOTICE_REQUEUE_EVERY_SECONDS", default=300)
# Workers write a heartbeat to Redis this often; pages call a worker "up" if one was seen
# within WORKER_HEARTBEAT_MAX_AGE seconds (nhtc.worker_health).
WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", default=15)
WORKER_HEARTBEAT_MAX_AGE = env.int("WORKER_HEARTBEAT_MAX_AGE", default=60)
# Throttle counters: shared by all workers through Redis when it is configured.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "nhtc"}}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="backoffice@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"forbidden_one_line": {"()": "nhtc.logging.ForbiddenOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["forbidden_one_line"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        # Django's own console handler would print every request record a second time (root prints it).
        "django": {"handlers": [], "level": "INFO", "propagate": True},
    },
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
