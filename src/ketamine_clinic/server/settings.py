"""One settings module, driven by the environment (see docs/configuration.md).

Development (the default) runs on SQLite under KC_DATA_DIR with a generated secret key.
KC_ENV=production refuses to start without KC_SECRET_KEY and KC_ALLOWED_HOSTS, turns on
HTTPS-only cookies and HSTS, and requires a second factor for staff.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from ketamine_clinic.server.envconfig import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    secret_key,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # ketamine_clinic/

KC_ENV = env_choice("KC_ENV", "development", ("development", "production"))
PRODUCTION = KC_ENV == "production"
DATA_DIR = Path(env_str("KC_DATA_DIR", "var")).resolve()

SECRET_KEY = secret_key(DATA_DIR, production=PRODUCTION)
DEBUG = env_bool("KC_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("KC_DEBUG: must be off when KC_ENV=production")

ALLOWED_HOSTS = env_list("KC_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "KC_ALLOWED_HOSTS is required when KC_ENV=production (comma-separated host names)"
        )
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "anymail",
    "oauth2_provider",
    "corsheaders",
    "ketamine_clinic.accounts",
    "ketamine_clinic.records",
    "ketamine_clinic.patients",
    "ketamine_clinic.assessments",
    "ketamine_clinic.evaluations",
    "ketamine_clinic.treatment",
    "ketamine_clinic.appointments",
    "ketamine_clinic.messaging",
    "ketamine_clinic.treatment_sessions",
    "ketamine_clinic.inventory",
    "ketamine_clinic.interop",
    "ketamine_clinic.clinic",
    "ketamine_clinic.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything that answers: a browser's preflight for /fhir/ gets its CORS answer.
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "ketamine_clinic.interop.fhir.negotiation.FhirNegotiationMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ketamine_clinic.accounts.middleware.SessionLimitsMiddleware",
    "ketamine_clinic.accounts.middleware.SecondFactorMiddleware",
    "ketamine_clinic.accounts.middleware.NoStoreMiddleware",
    "ketamine_clinic.accounts.middleware.KioskMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes last, as its documentation asks, so it sees the final response of a failed login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ketamine_clinic.urls"
WSGI_APPLICATION = "ketamine_clinic.server.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ketamine_clinic.accounts.context.clinic_context",
                "ketamine_clinic.assessments.alert_badge.badge",
            ],
            "builtins": [
                "ketamine_clinic.accounts.templatetags.people",
                "ketamine_clinic.common.template_filters",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
_default_db = f"sqlite:///{DATA_DIR / 'ketamine-clinic.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL", _default_db)
if not DATABASE_URL.startswith(("sqlite:", "postgres:", "postgresql:")):
    raise ImproperlyConfigured("DATABASE_URL: only sqlite:/// and postgres:// URLs are supported")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
DB_PREPARE = env_bool("KC_DB_PREPARE", True)  # PostgreSQL only; read always, so a typo is named
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at the
        # start of a transaction so two writers queue instead of failing half-way.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests use a file, not shared-cache memory, so locking behaves as it does in production.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-ketamine-clinic.sqlite3")}
else:
    # Django's backend with a health check that polls the socket rather than asking the
    # server (ketamine_clinic/postgres/base.py): a stale connection after a restart is
    # still noticed before the request uses it.
    DATABASES["default"]["ENGINE"] = "ketamine_clinic.server.postgres"
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DB_PREPARE:
        # Parameters travel apart from the query (server-side binding), and a query run five
        # times on a connection is prepared: PostgreSQL parses and plans it once, not on every
        # request, which halved its CPU per request (docs/performance.md). Off behind a pooler
        # in transaction mode that cannot keep prepared statements (PgBouncer before 1.21).
        DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions ---------------------------------------------------------------------
REDIS_URL = env_str("KC_REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # django-redis keeps one client per server; Django's own Redis cache builds a
            # new client (some 170 callbacks) on every call (docs/performance.md).
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "ketamine_clinic.accounts.backends.ClinicBackend",  # Django's, with the memberships
]

# Lockout (django-axes): by username and, separately, by IP address, for a finite cool-off.
AXES_FAILURE_LIMIT = env_int("KC_LOCKOUT_FAILURES", 5, minimum=2, maximum=100)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("KC_LOCKOUT_MINUTES", 15, minimum=1, maximum=1440))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ketamine_clinic.accounts.views.locked_out"
KC_PROXY_COUNT = env_int("KC_PROXY_COUNT", 0, minimum=0, maximum=5)
AXES_CLIENT_IP_CALLABLE = "ketamine_clinic.accounts.clientip.client_ip"
AXES_VERBOSE = False

# Session limits: idle logout and an absolute cap (HIPAA 164.312(a)(2)(iii) automatic logoff).
KC_IDLE_TIMEOUT = timedelta(minutes=env_int("KC_IDLE_MINUTES", 15, minimum=1, maximum=720))
KC_SESSION_MAX_AGE = timedelta(hours=env_int("KC_SESSION_MAX_HOURS", 12, minimum=1, maximum=72))
SESSION_COOKIE_AGE = int(KC_SESSION_MAX_AGE.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# API bearer tokens.
KC_TOKEN_TTL = timedelta(hours=env_int("KC_TOKEN_HOURS", 8, minimum=1, maximum=24 * 30))

# Second factor: required for staff in production by default; a clinic can require it anyway.
KC_REQUIRE_STAFF_OTP = env_bool("KC_REQUIRE_STAFF_OTP", PRODUCTION)
OTP_TOTP_ISSUER = "ketamine-clinic"

# --- Security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# SMART App Launch: an app the clinic registers signs its user in with OAuth 2.0 (the
# authorization code grant with PKCE S256, as SMART App Launch 2.0 requires), served by
# django-oauth-toolkit; the scopes and the patient in context are ours (interop/smart/).
OAUTH2_PROVIDER = {
    "SCOPES_BACKEND_CLASS": "ketamine_clinic.interop.smart.scopes.SmartScopes",
    "OAUTH2_VALIDATOR_CLASS": "ketamine_clinic.interop.smart.validator.SmartValidator",
    "OAUTH2_SERVER_CLASS": "ketamine_clinic.interop.smart.validator.SmartServer",
    "PKCE_REQUIRED": True,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 90 * 24 * 3600,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if PRODUCTION else ["http", "https"],
    "ALLOWED_SCHEMES": ["https"] if PRODUCTION else ["http", "https"],  # apps' origins
    # RFC 9700 (OAuth 2.0 security best practice): no implicit or password grant, no
    # "plain" PKCE, no token in a query string, tokens stored only as their hash, and `iss`
    # in every authorization response.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,  # RFC 9207: the answer names its issuer
}
# Cross-origin reads of the FHIR server, for SMART apps that run in a browser: only /fhir/,
# only from the origin of a registered app (interop/smart/origins.py), and never with the
# browser's cookies (an app sends its bearer token). The token endpoint answers CORS itself,
# to the same origins (django-oauth-toolkit's allowed_origins).
CORS_URLS_REGEX = r"^/fhir/"
CORS_ALLOWED_ORIGINS: list[str] = []
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Location", "Content-Location"]
# Its models are swappable; our SMART models point at them, which needs the names spelled.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"  # noqa: S105 (a model)
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"  # noqa: S105
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"  # noqa: S105

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("KC_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are bound to this exact host and path and are only sent over HTTPS.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    if env_bool("KC_BEHIND_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS if host != "*"]

# Large enough to reach field validation (so an oversized name gets a 422 naming the field),
# small enough that a client cannot exhaust memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024

# --- Static files, time, language -----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
EXPORT_DIR = DATA_DIR / "exports"  # FHIR bulk exports (NDJSON), one folder per export
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
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
USE_TZ = True
# The clinic's clock: opening hours, appointments and quiet hours are read in it.
TIME_ZONE = env_str("KC_TIME_ZONE", "UTC")
try:
    ZoneInfo(TIME_ZONE)
except (ValueError, ZoneInfoNotFoundError):
    raise ImproperlyConfigured(
        f"KC_TIME_ZONE={TIME_ZONE!r}: not a time zone (e.g. America/Denver)"
    ) from None
LANGUAGE_CODE = "en-us"
# Dates as every screen shows them (server/formats/en/formats.py).
FORMAT_MODULE_PATH = ["ketamine_clinic.server.formats"]
USE_I18N = False  # English only: no translation machinery on every template value

# --- Background tasks and messages ----------------------------------------------------------
# Messages leave through a queue kept in the database (SQLite or PostgreSQL): `ketamine-clinic
# worker` runs them; several workers may run at once (docs/deploy.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Email: SMTP when KC_SMTP_HOST is set; otherwise development prints mail to the console and
# production fails each email visibly ("not configured") while text messages may still go.
# A provider's API instead of SMTP: see docs/messages.md (django-anymail).
EMAIL_HOST = env_str("KC_SMTP_HOST")
EMAIL_PORT = env_int("KC_SMTP_PORT", 587, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("KC_SMTP_USER")
EMAIL_HOST_PASSWORD = env_str("KC_SMTP_PASSWORD")
EMAIL_USE_TLS = env_bool("KC_SMTP_STARTTLS", True)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("KC_MAIL_FROM", "clinic@localhost")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif PRODUCTION:
    EMAIL_BACKEND = "ketamine_clinic.messaging.channels.NoEmail"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# An email provider's bounce webhook (django-anymail, /webhooks/email/<provider>/tracking/)
# answers only with this "user:password" in the request's basic auth. Unset, a random one that
# nobody knows: every call is refused, never accepted unchecked.
ANYMAIL = {
    "WEBHOOK_SECRET": env_str("KC_EMAIL_WEBHOOK_SECRET") or f"unset:{secrets.token_urlsafe(32)}",
}
# Text messages: "console" prints them (development and the demo); "twilio" sends through
# Twilio's REST API with KC_SMS_ACCOUNT, KC_SMS_TOKEN and KC_SMS_FROM.
KC_SMS_BACKEND = env_choice("KC_SMS_BACKEND", "console", ("console", "twilio"))
KC_SMS_ACCOUNT = env_str("KC_SMS_ACCOUNT")
KC_SMS_TOKEN = env_str("KC_SMS_TOKEN")
KC_SMS_FROM = env_str("KC_SMS_FROM")
KC_SMS_API = env_str("KC_SMS_API", "https://api.twilio.com")
if KC_SMS_BACKEND == "twilio" and not (KC_SMS_ACCOUNT and KC_SMS_TOKEN and KC_SMS_FROM):
    raise ImproperlyConfigured(
        "KC_SMS_BACKEND=twilio needs KC_SMS_ACCOUNT, KC_SMS_TOKEN, KC_SMS_FROM"
    )
# Files patients and staff attach to secure messages: served only through the app, after the
# same checks as the thread (never as static files). Several app servers share one directory.
KC_ATTACHMENTS_DIR = Path(env_str("KC_ATTACHMENTS_DIR", str(DATA_DIR / "attachments"))).resolve()
# The address patients' links point at (a message is read outside the app).
KC_PUBLIC_URL = env_str("KC_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("KC_LOG_LEVEL", "WARNING").upper()},
}
