"""Settings of kinetz: one module, every option read from the environment.

With no environment variables set, kinetz runs in development mode (DEBUG on, SQLite at
./db.sqlite3, loopback hosts). KINETZ_ENV=production switches to production settings, where
every secret is required. The README lists every variable.
"""

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from kinetz.core.env import env_bool, env_database, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = Path(__file__).resolve().parent

KINETZ_ENV = env_str("KINETZ_ENV", "development")
if KINETZ_ENV not in ("development", "production"):
    raise ImproperlyConfigured(
        f"The environment variable KINETZ_ENV must be 'development' or 'production', "
        f"not {KINETZ_ENV!r}."
    )
PRODUCTION = KINETZ_ENV == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION)
SECRET_KEY = (
    env_str("SECRET_KEY", required=True)
    if PRODUCTION
    else env_str("SECRET_KEY", "development-only-insecure-key-do-not-use-in-production")
)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("The environment variable ALLOWED_HOSTS must be set in production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "kinetz.core.apps.KinetzAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "kinetz.core",
    "kinetz.accounts",
    "kinetz.territory",
    "kinetz.network",
    "kinetz.offers",
    "kinetz.finder",
    "kinetz.coordination",
    "kinetz.interop",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kinetz.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "kinetz.core.middleware.RequestLogMiddleware",
    # Last, so that a locked-out login is answered before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kinetz.urls"
WSGI_APPLICATION = "kinetz.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kinetz.core.context_processors.site",
            ],
        },
    }
]

# Database: SQLite (WAL) by default, PostgreSQL through DATABASE_URL.
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Accounts: e-mail login, 2FA, login throttling.
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:start"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
# Lock the account, not the address: the KI's staff often share one office IP (NAT), and one
# person's typos must not lock out colleagues. Hence axes.W006 is silenced below.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_FORM_FIELD = "email"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0) or None
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "kinetz")
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 8, minimum=60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Languages: German is the source; RTL languages are listed in kinetz.core.languages.
LANGUAGE_CODE = "de"
LANGUAGES = [
    ("de", "Deutsch"),
    ("en", "English"),
    ("nl", "Nederlands"),
    ("pl", "Polski"),
    ("ro", "Română"),
    ("bg", "Български"),
    ("tr", "Türkçe"),
    ("ar", "العربية"),
    ("fa", "فارسی"),
    ("uk", "Українська"),
    ("ru", "Русский"),
]
LANGUAGE_COOKIE_NAME = "kinetz_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [PROJECT_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Berlin"
USE_TZ = True

# Static files: vendored front-end libraries, served by WhiteNoise.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [PROJECT_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production, serve straight from the source folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
MAP_TILE_URL = env_str("MAP_TILE_URL", "-")  # "-" means no tile layer: boundaries only
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "-")

# Machine translation of offer texts for staff: off unless a LibreTranslate-compatible server
# is configured (empty = off). The backend "fake" marks texts as "[ar] …" (tests, demos).
KINETZ_MACHINE_TRANSLATION_BACKEND = env_str("KINETZ_MACHINE_TRANSLATION_BACKEND", "libretranslate")
KINETZ_MACHINE_TRANSLATION_URL = env_str("KINETZ_MACHINE_TRANSLATION_URL", "")
KINETZ_MACHINE_TRANSLATION_API_KEY = env_str("KINETZ_MACHINE_TRANSLATION_API_KEY", "")
KINETZ_MACHINE_TRANSLATION_TIMEOUT = env_int("KINETZ_MACHINE_TRANSLATION_TIMEOUT", 30, minimum=1)

# Content-Security-Policy: no inline script anywhere.
_tile_origin = [MAP_TILE_URL.split("/{")[0]] if MAP_TILE_URL != "-" else []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *_tile_origin],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# E-mail: printed to the console unless an SMTP host is configured.
EMAIL_HOST = env_str("EMAIL_HOST", "-")
if EMAIL_HOST == "-":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "kinetz <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background tasks: run in-process unless a database-backed worker is configured.
_tasks_backend = env_str("KINETZ_TASKS", "database" if PRODUCTION else "immediate")
if _tasks_backend not in ("immediate", "database"):
    raise ImproperlyConfigured(
        f"The environment variable KINETZ_TASKS must be 'immediate' or 'database', "
        f"not {_tasks_backend!r}."
    )
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if _tasks_backend == "database"
            else "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# Production hardening (manage.py check --deploy passes with these).
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_REFERRER_POLICY = "same-origin"
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Structured logs: JSON lines in production, readable lines in development.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ImproperlyConfigured(f"The environment variable LOG_LEVEL is not a level: {LOG_LEVEL!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {
            "()": "kinetz.core.logs.formatter",
            "json": env_bool("LOG_JSON", PRODUCTION),
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # WeasyPrint and fontTools log every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "splink": {"level": "WARNING"},
    },
}

# A cache every web process shares (rendered local guides): the database in production, where
# several gunicorn workers run (`manage.py createcachetable` once); per process in development.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "kinetz_cache"}
        if env_bool("KINETZ_SHARED_CACHE", PRODUCTION)
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# kinetz itself.
KINETZ_DEFAULT_REGION = env_str("KINETZ_DEFAULT_REGION", "kleve")
# Offer freshness: a published offer not verified for this many months is stale; its
# provider's editors are reminded at most once per interval.
# The public pages say that the catalogue is fictional demo data (on by default outside
# production, where `make demo` loads the fictional Kreis Kleve catalogue).
KINETZ_DEMO_CATALOGUE = env_bool("KINETZ_DEMO_CATALOGUE", not PRODUCTION)
KINETZ_STALE_AFTER_MONTHS = env_int("KINETZ_STALE_AFTER_MONTHS", 12, minimum=1)
KINETZ_REMINDER_INTERVAL_DAYS = env_int("KINETZ_REMINDER_INTERVAL_DAYS", 30, minimum=1)
# Search index (generations of Tantivy + embeddings) on disk, beside the SQLite database by
# default; every web and worker process of one installation must see the same directory.
KINETZ_SEARCH_INDEX_DIR = Path(env_str("KINETZ_SEARCH_INDEX_DIR", str(BASE_DIR / "search-index")))
