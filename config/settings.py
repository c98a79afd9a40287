"""Settings for the registry, read from the environment.

Defaults are safe for development: SQLite and a file-system Celery broker under
``var/``, so the application, its worker and its scheduler run with nothing installed.
Production sets ``DEBUG=0``, ``SECRET_KEY``, ``AUDIT_TRAIL_KEY``, ``AUDIT_ANCHOR_DIR``, ``ALLOWED_HOSTS``,
``DATABASE_URL`` and ``CELERY_BROKER_URL``; see the README for the full table.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_secret(name: str) -> str:
    """A secret from ``NAME`` or from the file named by ``NAME_FILE`` (a mounted secret), not both."""
    value, path = os.environ.get(name, ""), os.environ.get(f"{name}_FILE", "")
    if value and path:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    if not path:
        return value
    try:
        return Path(path).read_text().strip()
    except OSError as error:
        raise ImproperlyConfigured(f"{name}_FILE: cannot read {path!r} ({error.strerror}).") from None


DEBUG = env_bool("DEBUG", True)

# The development key is public (it is in this file); production must never run with it.
DEVELOPMENT_SECRET_KEY = "dev-insecure-registry-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not DEBUG and SECRET_KEY in ("", DEVELOPMENT_SECRET_KEY):
    raise ImproperlyConfigured("SECRET_KEY must be set to a secret value when DEBUG is off.")

# The audit trail's hash chain is an HMAC under this key, kept outside the database and apart from
# SECRET_KEY: whoever can write the database (or read the web's signing key) cannot re-seal a
# rewritten trail. The development key is public, like the development SECRET_KEY.
DEVELOPMENT_AUDIT_TRAIL_KEY = "dev-insecure-audit-trail-key-do-not-use-in-production"
AUDIT_TRAIL_KEY = env_secret("AUDIT_TRAIL_KEY") or (DEVELOPMENT_AUDIT_TRAIL_KEY if DEBUG else "")
if not DEBUG and AUDIT_TRAIL_KEY in ("", DEVELOPMENT_AUDIT_TRAIL_KEY):
    raise ImproperlyConfigured(
        "AUDIT_TRAIL_KEY (or AUDIT_TRAIL_KEY_FILE) must be set to a secret value when DEBUG is off."
    )
if AUDIT_TRAIL_KEY == SECRET_KEY:
    raise ImproperlyConfigured("AUDIT_TRAIL_KEY must not be SECRET_KEY: the trail's key is kept apart.")
if not DEBUG and len(AUDIT_TRAIL_KEY) < 32:
    raise ImproperlyConfigured("AUDIT_TRAIL_KEY must be at least 32 characters long.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")


def env_networks(name: str) -> list[str]:
    networks = env_list(name)
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ImproperlyConfigured(f"{name} lists addresses or CIDR networks, not {network!r}") from None
    return networks


# The reverse proxies in front of the site, whose X-Forwarded-For is believed (config/proxies.py).
# Empty: the site faces its clients directly and believes no forwarded address.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")

INSTALLED_APPS = [
    # Before django.contrib.auth, so that its changepassword command is ours (recorded, tokens revoked).
    "accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "rules",
    "registry",
    "audits",
    "content",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.NoStoreMiddleware",
    "audits.trail.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.notifications",
                "audits.context_processors.todo",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: it compiled the weekly ranking's query anew on every call, 1.3 s where the plan
    # itself runs in 13 ms (docs/operations.md, "PostgreSQL settings"). Set on connecting, so it
    # costs no statement; a pooler that refuses startup options wants ALTER ROLE … SET jit = off.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file: wait for a lock rather than fail.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # The tests' database in memory, Django's own choice for SQLite, said outright: pytest-django
    # knows SQLite by Django's engine name alone, which the line below replaces, and would otherwise
    # give each xdist worker a file named "test_" + the path, in a folder that does not exist.
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", ":memory:")
# Django's backends, sealing each transaction's audit events as it commits (audits/trail/db).
_TRAIL_SEALING_BACKENDS = {
    "django.db.backends.postgresql": "audits.trail.db.postgresql",
    "django.db.backends.sqlite3": "audits.trail.db.sqlite3",
}
if DATABASES["default"]["ENGINE"] not in _TRAIL_SEALING_BACKENDS:
    raise ImproperlyConfigured("DATABASE_URL must name a PostgreSQL or SQLite database.")
DATABASES["default"]["ENGINE"] = _TRAIL_SEALING_BACKENDS[DATABASES["default"]["ENGINE"]]


def env_cache(name: str, default: str) -> dict:
    """A cache from a URL: ``redis://host:port/db`` (or ``rediss://``) or ``file:///absolute/folder``."""
    url = env_str(name, default)
    if url.startswith(("redis://", "rediss://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if url.startswith("file:///"):
        folder = url[len("file://") :]
        return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": folder}
    raise ImproperlyConfigured(f"{name} must be a redis://, rediss:// or file:/// URL, not {url!r}")


# Throttles are counted here, so every web worker must see the same cache: a per-process cache
# would let each worker admit the full rate.
CACHES = {"default": env_cache("CACHE_URL", f"file://{VAR_DIR / 'cache'}")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# Object permissions (accounts/rules.py) first; ModelBackend still signs users in.
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "accounts.validators.CharacterClassesValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start without it
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# Files people upload (closure evidence) and files the site builds (exports) are in the default
# storage: a folder (MEDIA_ROOT) when one machine serves the site; an S3-compatible bucket when several
# do, so that what one web process or worker stored another serves (docs/operations.md). The keys
# come from the environment as boto3 reads them (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).
S3_BUCKET = env_str("S3_BUCKET", "")
if S3_BUCKET:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,  # none: AWS itself
            "region_name": env_str("S3_REGION", "") or None,
            "location": env_str("S3_PREFIX", ""),
            "default_acl": None,  # private: files are served through the site, which checks who asks
            "file_overwrite": False,
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# The registry's own numbering: filing numbers read e.g. "XC-2026-0001".
REGISTRY_FILING_PREFIX = env_str("REGISTRY_FILING_PREFIX", "XC")
REGISTRY_IMPORT_MAX_BYTES = env_int("REGISTRY_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
# The CPU time the worker may spend reading one uploaded spreadsheet (registry/reading.py).
REGISTRY_IMPORT_CPU_SECONDS = env_int("REGISTRY_IMPORT_CPU_SECONDS", 20)
# And the memory it may take beyond the worker's own.
REGISTRY_IMPORT_MEMORY_BYTES = env_int("REGISTRY_IMPORT_MEMORY_BYTES", 2**30)
# The longest account list whose .xlsx is built while the browser waits; a longer one is built by a
# worker into storage, and its page offers the file when it is ready (registry/exports.py).
REGISTRY_EXPORT_XLSX_SYNC_MAX_ROWS = env_int("REGISTRY_EXPORT_XLSX_SYNC_MAX_ROWS", 5000)
REGISTRY_DISTRICT_NAME = env_str("REGISTRY_DISTRICT_NAME", _("Xincheng District"))

# The empty choice of every filter (pages, exports and the API's browsable forms): a reader looks for
# the word "all", not django-filter's "---------".
FILTERS_EMPTY_CHOICE_LABEL = _("All")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": [
        "config.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "config.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["config.throttles.ScopedRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "verify": env_str("THROTTLE_VERIFY", "60/minute"),
        "sign_in": env_str("THROTTLE_SIGN_IN", "20/minute"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "政务新媒体矩阵备案与治理平台 API",
    "DESCRIPTION": "Government new-media account registry. Authenticate with `Authorization: Token <key>` "
    "(POST /api/v1/auth/token/) or a browser session.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs map every endpoint and field: for signed-in users and token holders only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our own static files: intranets have no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The errors every operation can answer with, in the one error shape, besides the ones its view names.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.openapi.document_errors",
    ],
    # Choice sets used under several field names (a department's ``kind`` and a campaign scope's
    # ``department_kinds``), or several choice sets under one name (a department's, a filing's and a
    # post's ``kind``), get one name each in the schema.
    "ENUM_NAME_OVERRIDES": {
        "DepartmentKindEnum": "registry.choices.DepartmentKind",
        "PlatformEnum": "registry.choices.Platform",
        "EmploymentEnum": "registry.choices.Employment",
        "OutcomeEnum": "audits.campaigns.choices.Outcome",
        "RuleCodeEnum": "audits.inspections.choices.RuleCode",
        "PostKindEnum": "content.choices.PostKind",
        "LexiconEnum": "content.choices.Lexicon",
    },
}

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "celery" / "broker"
    (_broker_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # Broadcasts (worker pings, shutdown) go here; kombu's default is ./control in the cwd.
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# Long work waits in a queue of its kind, so an operator can give each its own workers (a run of a
# province does not hold up the imports people are waiting on); a worker started without -Q takes
# every queue (docs/operations.md).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name), routing_key=name) for name in ("celery", "runs", "imports", "exports")
]
CELERY_TASK_ROUTES = {
    "audits.tasks.execute_inspection_run": {"queue": "runs"},
    "audits.tasks.scheduled_inspection_run": {"queue": "runs"},
    "registry.tasks.read_import_job": {"queue": "imports"},
    "registry.tasks.*export*": {"queue": "exports"},
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# System jobs at fixed times (CELERY_TIMEZONE). The DatabaseScheduler writes each entry into its
# tables by name at every beat start (update_or_create): the job comes back if deleted, and its
# time is this one, so a job the office may reschedule is installed by a migration instead.
# Switching a job off in the admin survives a restart (``enabled`` is not overwritten).
CELERY_BEAT_SCHEDULE = {
    # After midnight, so "past the deadline" counts the whole of the deadline day.
    "mark overdue closure orders": {
        "task": "audits.tasks.mark_overdue_closure_orders",
        "schedule": crontab(hour=1, minute=30),
    },
    # The weekly index (docs/design.md §8) of the week that ended on Saturday, once the collectors
    # have posted Saturday's figures overnight; the office recomputes a week on demand.
    "compute weekly index": {
        "task": "audits.tasks.compute_weekly_index",
        "schedule": crontab(day_of_week=0, hour=5, minute=0),
    },
    # A computed week whose figures changed is refreshed as they commit; this catches a refresh
    # whose message was lost (the marks are rows: docs/design.md §8).
    "refresh stale weekly indexes": {
        "task": "audits.ranking.tasks.refresh_stale_weeks",
        "schedule": crontab(minute=20),
    },
    # Built exports are kept a day (registry/exports.py); the hour is how late one may be removed.
    "remove old export files": {
        "task": "registry.tasks.remove_old_export_files",
        "schedule": crontab(minute=30),
    },
    # A rewrite of the trail after an anchor is caught by the anchor: the hour is the window.
    "anchor the audit trail": {
        "task": "audits.tasks.anchor_audit_trail",
        "schedule": crontab(minute=0),
    },
    # Release tasks: parts completed by the accounts' posts, missed once their window ends.
    "follow release tasks": {
        "task": "audits.releases.tasks.follow_release_tasks",
        "schedule": crontab(minute="*/5"),
    },
    # Post texts past the archive's time (POST_TEXT_RETENTION_DAYS), before the daily inspection.
    "remove old post texts": {
        "task": "content.tasks.remove_old_post_texts",
        "schedule": crontab(hour=1, minute=0),
    },
    # The daily figures' partitions of the coming months (PostgreSQL; registry.partitions), made
    # well before the first figures of a month arrive; a missed run is caught up by the next.
    "add the coming months' figure partitions": {
        "task": "registry.tasks.add_metric_months",
        "schedule": crontab(day_of_month=1, hour=3, minute=30),
    },
}
# The trail's anchors: the chain's head, appended to a file a day by the job above. Point it at a place
# the operator keeps apart from the database (another disk or machine, append-only): a rewrite of the
# database then still disagrees with the anchors (docs/operations.md).
AUDIT_ANCHOR_DIR = Path(env_str("AUDIT_ANCHOR_DIR", str(VAR_DIR / "audit-anchors")))
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# How long a post's text is kept (the content archive a government keeps); its title, address,
# figures and findings stay beyond it. Three years unless the office's archive rule says otherwise.
POST_TEXT_RETENTION_DAYS = env_int("POST_TEXT_RETENTION_DAYS", 3 * 365)

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "registry@localhost")

SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True  # the age above is an idle timeout, not a fixed lifetime

# Lockout: this many failed sign-ins for one username (browser form and token endpoint alike)
# within the lockout period lock that username for the period; the office can unlock earlier.
SIGN_IN_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 5)
SIGN_IN_LOCKOUT_SECONDS = env_int("SIGN_IN_LOCKOUT_SECONDS", 15 * 60)

X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Joining the browsers' preload list is the operator's decision for the whole domain.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
