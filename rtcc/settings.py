"""Django settings for rtcc, read from environment variables.

Defaults run as they are (SQLite, in-process channel layer, cache and workers).
Setting DATABASE_URL switches to PostgreSQL; REDIS_URL switches the channel
layer, cache and Celery broker to Redis. README lists every variable.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_float, env_int, env_list, env_str, env_url

# OpenCV and its FFmpeg backend log to stderr on their own; keep them to errors (read when cv2 loads).
os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "16")  # AV_LOG_ERROR

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("RTCC_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", True)

_DEV_SECRET = "dev-only-insecure-secret-key-never-use-this-in-production-0123456789"
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_DEBUG=false.")
    SECRET_KEY = _DEV_SECRET
elif len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters with at least 5 distinct ones.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_DEBUG=false (comma-separated host names).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rtcc",
    "cameras",
    "footage",
    "plates",
    "incidents",
    "registry",
    "maps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "rtcc.security_headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "rtcc.middleware.LoginRequiredMiddleware",
    "rtcc.two_factor_middleware.SecondFactorMiddleware",
]

ROOT_URLCONF = "rtcc.urls"
WSGI_APPLICATION = "rtcc.wsgi.application"
ASGI_APPLICATION = "rtcc.asgi.application"
AUTH_USER_MODEL = "rtcc.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "rtcc.context_processors.rtcc",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASE_URL = env_url("DATABASE_URL", schemes=("postgres", "postgresql", "sqlite"))
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0))
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "rtcc.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer, cache, broker ----------------------------------
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss", "unix"))
EMBEDDED = not REDIS_URL

# channels-redis waits for a message with a 5 s blocking read (BZPOPMIN); redis-py's own socket timeout must
# outlast it, or every idle websocket fails with TimeoutError after 5 s. Keepalive and a health check find
# a connection Redis dropped (a restart) before a push is lost on it.
REDIS_CHANNEL_HOST = {
    "socket_timeout": 15,
    "socket_connect_timeout": 2,
    "socket_keepalive": True,
    "health_check_interval": 10,
    "retry_on_timeout": True,
}
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "rtcc.outages.ResilientRedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, **REDIS_CHANNEL_HOST}],
                "prefix": env_str("RTCC_CHANNEL_PREFIX", "rtcc"),
                "capacity": 1000,
                "expiry": 60,
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "rtcc.outages.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "rtcc",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rtcc"}}

# --- Celery ----------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# Workers and the beat outlive a broker outage: they reconnect for as long as it takes, never exit over it.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A dead connection is found within seconds (not at the kernel's TCP timeout); the blocking read of a
    # queue (BRPOP, 1 s) stays well inside the socket timeout.
    "socket_timeout": 10,
    "socket_connect_timeout": 3,
    "socket_keepalive": True,
    "health_check_interval": 10,
    "retry_on_timeout": True,
}
# Capture and recording tasks run for minutes and hold their cameras by database leases, not by the broker:
# a broker blip must not cancel them (Celery 6 will cancel by default; say which we need).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 30
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# --- Camera capture ----------------------------------------------------------
RTCC_CAPTURE_LEASE_SECONDS = env_float("RTCC_CAPTURE_LEASE_SECONDS", 15.0, minimum=2.0)
RTCC_CAPTURE_SCHEDULE_SECONDS = env_float("RTCC_CAPTURE_SCHEDULE_SECONDS", 5.0, minimum=0.5)
RTCC_CAPTURE_OPEN_TIMEOUT = env_float("RTCC_CAPTURE_OPEN_TIMEOUT", 5.0, minimum=0.5)
RTCC_CAPTURE_READ_TIMEOUT = env_float("RTCC_CAPTURE_READ_TIMEOUT", 5.0, minimum=0.5)
RTCC_CAPTURE_BACKOFF_BASE = env_float("RTCC_CAPTURE_BACKOFF_BASE", 1.0, minimum=0.1)
RTCC_CAPTURE_BACKOFF_MAX = env_float("RTCC_CAPTURE_BACKOFF_MAX", 60.0, minimum=1.0)
RTCC_CAPTURE_SESSION_SECONDS = env_float("RTCC_CAPTURE_SESSION_SECONDS", 900.0, minimum=10.0)
RTCC_SNAPSHOT_INTERVAL = env_float("RTCC_SNAPSHOT_INTERVAL", 1.0, minimum=0.1)
RTCC_SNAPSHOT_WIDTH = env_int("RTCC_SNAPSHOT_WIDTH", 960, minimum=160)
RTCC_MOTION_THRESHOLD = env_float("RTCC_MOTION_THRESHOLD", 2.0, minimum=0.0)
RTCC_MOTION_MAX_SKIP_SECONDS = env_float("RTCC_MOTION_MAX_SKIP_SECONDS", 10.0, minimum=0.5)
RTCC_DEGRADED_FPS_RATIO = env_float("RTCC_DEGRADED_FPS_RATIO", 0.5, minimum=0.0, maximum=1.0)
RTCC_PLATE_REGION = env_str("RTCC_PLATE_REGION", "us")
# Early hits: a live track raises its hit while the car is still in view, once its readings make the match
# trustworthy: this many readings agree on the voted text, or one reading at least this confident matches a
# hotlist entry exactly. The track's final vote then updates that read; a hit it no longer supports is
# withdrawn. Two agreeing readings are the tracker's own threshold for a plate (one reading is a glimpse);
# 0.9 is where a lone misread is rare enough to alert on (docs/performance.md, bench_live).
RTCC_EARLY_HIT_AGREEING_READINGS = env_int("RTCC_EARLY_HIT_AGREEING_READINGS", 2, minimum=1)
RTCC_EARLY_HIT_SINGLE_CONFIDENCE = env_float("RTCC_EARLY_HIT_SINGLE_CONFIDENCE", 0.9, minimum=0.0)  # over 1: rule off
PLATE_READ_RETENTION_DAYS = env_int("PLATE_READ_RETENTION_DAYS", 30, minimum=1)
# Daily hotlist feeds (state/NCIC extracts) are dropped as CSV files in this folder; a hotlist's feed_path
# names a file inside it. A new file replaces its list unless it would remove more than this share of it.
RTCC_HOTLIST_FEED_DIR = Path(env_str("RTCC_HOTLIST_FEED_DIR", str(VAR_DIR / "hotlist-feeds")))
# How often each process looks for a hotlist change made by another process (web, worker, an import command).
RTCC_HOTLIST_CHECK_SECONDS = env_float("RTCC_HOTLIST_CHECK_SECONDS", 1.0, minimum=0.0)
RTCC_HOTLIST_FEED_MAX_DROP = env_float("RTCC_HOTLIST_FEED_MAX_DROP", 0.5, minimum=0.0, maximum=1.0)
# Repeat reads of one plate on one hotlist entry within this window fold into one alert (plates/alerts.py).
RTCC_HIT_REPEAT_WINDOW_SECONDS = env_int("RTCC_HIT_REPEAT_WINDOW_SECONDS", 600, minimum=0)
# A hit whose read state differs from the entry's, read at least this sure, is marked "state mismatch" and ranked
# below the others (never dropped). docs/performance.md's calibration: every state read at 0.6 or more was right.
# Over 1: never marked.
RTCC_STATE_MISMATCH_CONFIDENCE = env_float("RTCC_STATE_MISMATCH_CONFIDENCE", 0.6, minimum=0.0)
if RTCC_PLATE_REGION not in {"us", "eu", "br", "none"}:
    raise ImproperlyConfigured(f"RTCC_PLATE_REGION={RTCC_PLATE_REGION!r} is not one of us, eu, br, none.")
for _name in ("RTCC_CAPTURE_READ_TIMEOUT", "RTCC_CAPTURE_OPEN_TIMEOUT"):
    if globals()[_name] >= RTCC_CAPTURE_LEASE_SECONDS / 2:
        raise ImproperlyConfigured(
            f"{_name} must be under half of RTCC_CAPTURE_LEASE_SECONDS, or a stalled stream could outlive the lease."
        )

# --- Footage: recording buffer, library, analysis (issue #8) -----------------
# Production records every enabled city camera; the embedded demo (36 cameras, a laptop) records none unless asked.
RTCC_RECORDING_ENABLED = env_bool("RTCC_RECORDING_ENABLED", not EMBEDDED)
RTCC_RECORDING_ROOT = Path(env_str("RTCC_RECORDING_ROOT", str(VAR_DIR / "recordings")))
RTCC_RECORDING_MINUTES = env_int("RTCC_RECORDING_MINUTES", 30, minimum=1)
RTCC_RECORDING_SEGMENT_SECONDS = env_int("RTCC_RECORDING_SEGMENT_SECONDS", 10, minimum=2, maximum=300)
RTCC_RECORDING_DISK_BUDGET_MB = env_int("RTCC_RECORDING_DISK_BUDGET_MB", 20_000, minimum=10)
RTCC_FFMPEG = env_str("RTCC_FFMPEG", "ffmpeg")
RTCC_FFPROBE = env_str("RTCC_FFPROBE", "ffprobe")
RTCC_FOOTAGE_UPLOAD_MAX_MB = env_int("RTCC_FOOTAGE_UPLOAD_MAX_MB", 2048, minimum=1)
RTCC_FOOTAGE_ANALYSIS_FPS = env_float("RTCC_FOOTAGE_ANALYSIS_FPS", 10.0, minimum=0.5, maximum=60.0)
RTCC_FOOTAGE_MOTION_GATE = env_bool("RTCC_FOOTAGE_MOTION_GATE", True)
RTCC_FOOTAGE_JOB_SECONDS = env_int("RTCC_FOOTAGE_JOB_SECONDS", 3 * 3600, minimum=60)

CELERY_TASK_ROUTES = {"cameras.tasks.capture_camera": {"queue": "capture"}}
CELERY_TASK_ROUTES["cameras.tasks.record_camera"] = {"queue": "capture"}  # long-running, like capture
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_BEAT_SCHEDULE = {
    "prune-realtime-events": {"task": "rtcc.tasks.prune_events", "schedule": 3600.0},
    "dispatch-capture": {"task": "cameras.tasks.dispatch_capture", "schedule": RTCC_CAPTURE_SCHEDULE_SECONDS},
    "check-camera-health": {"task": "cameras.tasks.check_camera_health", "schedule": 5.0},
    "purge-plate-reads": {"task": "plates.tasks.purge_plate_reads", "schedule": 24 * 3600.0},
    "refresh-hotlist-feeds": {"task": "plates.tasks.refresh_hotlist_feeds", "schedule": 15 * 60.0},
    "dispatch-recording": {"task": "cameras.tasks.dispatch_recording", "schedule": RTCC_CAPTURE_SCHEDULE_SECONDS},
    "prune-recordings": {"task": "cameras.tasks.prune_recordings", "schedule": 60.0},
}
# In the embedded default the web process runs the Celery worker and beat in
# threads; production runs them as their own processes (docker-compose.yml).
RTCC_IN_PROCESS_WORKERS = env_bool("RTCC_IN_PROCESS_WORKERS", EMBEDDED)
RTCC_EMBEDDED_CONCURRENCY = env_int("RTCC_EMBEDDED_CONCURRENCY", 48, minimum=2)

# --- E-mail (owners' links, agency fallback notifications) -----------------
# The embedded demo prints e-mails to the console (follow a resident's confirmation link from there);
# production sends through the SMTP relay named here.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if EMBEDDED else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "rtcc@localhost")

# --- Auth ------------------------------------------------------------------
# Failed sign-ins (login page, CAP feeds' HTTP Basic) per user name within the window before that name must
# wait; an address gets three times as many (several people behind one gateway).
RTCC_LOGIN_MAX_FAILURES = env_int("RTCC_LOGIN_MAX_FAILURES", 10, minimum=1)
RTCC_LOGIN_FAILURE_WINDOW_SECONDS = env_int("RTCC_LOGIN_FAILURE_WINDOW_SECONDS", 900, minimum=60)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Two-factor sign-in (rtcc/two_factor.py): on in production; off in the embedded demo so its printed logins work.
# Responders of an agency marked `responders_skip_2fa` are exempt; anyone who set up an app is always asked.
RTCC_REQUIRE_2FA = env_bool("RTCC_REQUIRE_2FA", not DEBUG)
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows anyone's TOTP secret
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600, minimum=300)

# --- I18N, static, media ---------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024, minimum=1024)

# --- REST API --------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "cameras.auth.DeviceTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rtcc.permissions.HasRole"],
    "DEFAULT_SCHEMA_CLASS": "rtcc.openapi.ContractSchema",
    "DEFAULT_PAGINATION_CLASS": "rtcc.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_THROTTLE_RATES": {"anon": "60/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "RTCC API",
    "DESCRIPTION": "Real Time Crime Center: cameras, plate reads, incidents and the citizen camera registry.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

# --- Product settings ------------------------------------------------------
RTCC_CITY_NAME = env_str("RTCC_CITY_NAME", "New Orleans")
OTP_TOTP_ISSUER = f"RTCC {RTCC_CITY_NAME}"  # the account's name in people's authenticator apps
RTCC_MAP_TILE_URL = env_url("RTCC_MAP_TILE_URL", schemes=("http", "https"))
RTCC_MAP_TILE_ATTRIBUTION = env_str("RTCC_MAP_TILE_ATTRIBUTION", "")
RTCC_MAP_CENTER_LAT = env_float("RTCC_MAP_CENTER_LAT", 29.9511, minimum=-90, maximum=90)
RTCC_MAP_CENTER_LON = env_float("RTCC_MAP_CENTER_LON", -90.0715, minimum=-180, maximum=180)
RTCC_MAP_ZOOM = env_int("RTCC_MAP_ZOOM", 13, minimum=1, maximum=19)
# Where no basemap is installed, maps draw this GeoJSON: the city's outline and a few named places.
RTCC_MAP_OUTLINE = Path(
    env_str("RTCC_MAP_OUTLINE", str(BASE_DIR / "maps" / "data" / "new-orleans-approximate.geojson"))
)
# The map's "recent hits" layer shows the hits of this many last minutes.
RTCC_MAP_HITS_MINUTES = env_int("RTCC_MAP_HITS_MINUTES", 120, minimum=1)
# A geocoding service the city runs (Nominatim /search or Photon /api); empty: address points only.
RTCC_GEOCODER_URL = env_url("RTCC_GEOCODER_URL", schemes=("http", "https"))
RTCC_GEOCODER_TIMEOUT = env_float("RTCC_GEOCODER_TIMEOUT", 3.0, minimum=0.1)
# Nominatim's "viewbox" (west,north,east,south): results in the city first.
RTCC_GEOCODER_VIEWBOX = env_str("RTCC_GEOCODER_VIEWBOX", "")
RTCC_EVENT_RETENTION_DAYS = env_int("RTCC_EVENT_RETENTION_DAYS", 30, minimum=1)
RTCC_EVENT_CATCHUP_LIMIT = env_int("RTCC_EVENT_CATCHUP_LIMIT", 500, minimum=1)
# Each web process re-checks the event table this often for events whose push was lost, looking back
# this far (a push that failed is delivered by the next sweep, without the page reloading).
RTCC_EVENT_SWEEP_SECONDS = env_float("RTCC_EVENT_SWEEP_SECONDS", 2.0, minimum=0.05)
RTCC_EVENT_SWEEP_WINDOW_SECONDS = env_float("RTCC_EVENT_SWEEP_WINDOW_SECONDS", 60.0, minimum=1.0)
RTCC_HEALTH_TIMEOUT = env_float("RTCC_HEALTH_TIMEOUT", 2.0, minimum=0.1)
# The beat sends a heartbeat task this often; /healthz calls the worker or beat down once its stamp is
# three periods old.
RTCC_HEARTBEAT_SECONDS = env_float("RTCC_HEARTBEAT_SECONDS", 10.0, minimum=0.5)
CELERY_BEAT_SCHEDULE["heartbeat"] = {
    "task": "rtcc.heartbeat",
    "schedule": RTCC_HEARTBEAT_SECONDS,
    "options": {"expires": RTCC_HEARTBEAT_SECONDS},  # a backlog after an outage is dropped, not run
}

# --- Citizen camera registry (public form, signed links, footage requests) ---
# Links in e-mails to owners are absolute: the address residents reach the site at.
RTCC_PUBLIC_BASE_URL = env_url("RTCC_PUBLIC_BASE_URL", schemes=("http", "https"), default="http://localhost:8000")
RTCC_REGISTRY_FROM_EMAIL = env_str("RTCC_REGISTRY_FROM_EMAIL", "camera-registry@localhost")
RTCC_REGISTRY_CONFIRM_HOURS = env_int("RTCC_REGISTRY_CONFIRM_HOURS", 72, minimum=1)
RTCC_REGISTRY_MANAGE_DAYS = env_int("RTCC_REGISTRY_MANAGE_DAYS", 400, minimum=1)
RTCC_REGISTRY_MAX_CAMERAS = env_int("RTCC_REGISTRY_MAX_CAMERAS", 12, minimum=1, maximum=100)
RTCC_REGISTRY_RATE_LIMIT = env_int("RTCC_REGISTRY_RATE_LIMIT", 20, minimum=1)
RTCC_REGISTRY_RATE_WINDOW_SECONDS = env_int("RTCC_REGISTRY_RATE_WINDOW_SECONDS", 3600, minimum=1)
# How many reverse proxies in front of the app append to X-Forwarded-For (0: use the socket's address).
RTCC_TRUSTED_PROXY_COUNT = env_int("RTCC_TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=5)
RTCC_REGISTRY_REMINDER_DAYS = env_int("RTCC_REGISTRY_REMINDER_DAYS", 335, minimum=1)
RTCC_REGISTRY_STALE_DAYS = env_int("RTCC_REGISTRY_STALE_DAYS", 395, minimum=1)
RTCC_REGISTRY_SEARCH_RADIUS_M = env_int("RTCC_REGISTRY_SEARCH_RADIUS_M", 300, minimum=10, maximum=20_000)
# Networks (CIDR blocks) inside the center's own that owners' shared stream addresses may point at, e.g. a camera
# VPN. Loopback, link-local, private ranges and this machine's own addresses are refused unless listed here.
RTCC_STREAM_ALLOWED_NETWORKS = env_list("RTCC_STREAM_ALLOWED_NETWORKS", [])
RTCC_FOOTAGE_REQUEST_MAX_MINUTES = env_int("RTCC_FOOTAGE_REQUEST_MAX_MINUTES", 120, minimum=1)
RTCC_FOOTAGE_REQUEST_DEADLINE_HOURS = env_int("RTCC_FOOTAGE_REQUEST_DEADLINE_HOURS", 72, minimum=1)
RTCC_FOOTAGE_UPLOAD_MAX_BYTES = env_int("RTCC_FOOTAGE_UPLOAD_MAX_BYTES", 2 * 1024**3, minimum=1024)
if RTCC_REGISTRY_STALE_DAYS <= RTCC_REGISTRY_REMINDER_DAYS:
    raise ImproperlyConfigured("RTCC_REGISTRY_STALE_DAYS must be longer than RTCC_REGISTRY_REMINDER_DAYS.")
CELERY_BEAT_SCHEDULE["registry-verification-reminders"] = {
    "task": "registry.tasks.send_verification_reminders",
    "schedule": 6 * 3600.0,
}
CELERY_BEAT_SCHEDULE["registry-expire-footage-requests"] = {
    "task": "registry.tasks.expire_footage_requests",
    "schedule": 300.0,
}

# --- Incidents: escalation, agency webhooks and e-mail, CAP, nearby cameras ---
RTCC_ESCALATION_CHECK_SECONDS = env_float("RTCC_ESCALATION_CHECK_SECONDS", 5.0, minimum=1.0)
RTCC_ESCALATION_MAX = env_int("RTCC_ESCALATION_MAX", 5, minimum=1)
RTCC_WEBHOOK_TIMEOUT = env_float("RTCC_WEBHOOK_TIMEOUT", 5.0, minimum=0.5, maximum=60)
RTCC_WEBHOOK_MAX_ATTEMPTS = env_int("RTCC_WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
RTCC_WEBHOOK_BACKOFF_BASE = env_float("RTCC_WEBHOOK_BACKOFF_BASE", 5.0, minimum=0.1)
RTCC_WEBHOOK_BACKOFF_MAX = env_float("RTCC_WEBHOOK_BACKOFF_MAX", 600.0, minimum=1.0)
RTCC_WEBHOOK_EMAIL_AFTER = env_int("RTCC_WEBHOOK_EMAIL_AFTER", 3, minimum=1)
# The same rule for agencies' webhook addresses: internal networks a receiver may sit in (CIDR blocks).
RTCC_WEBHOOK_ALLOWED_NETWORKS = env_list("RTCC_WEBHOOK_ALLOWED_NETWORKS", [])
for _name in ("RTCC_STREAM_ALLOWED_NETWORKS", "RTCC_WEBHOOK_ALLOWED_NETWORKS"):
    try:
        [ipaddress.ip_network(block, strict=False) for block in globals()[_name]]
    except ValueError as exc:
        raise ImproperlyConfigured(f"{_name}: {exc}") from None
# How long past two send timeouts a worker's claim on a delivery lasts before another worker may retry it.
RTCC_WEBHOOK_CLAIM_GRACE = env_float("RTCC_WEBHOOK_CLAIM_GRACE", 30.0, minimum=0.5)
RTCC_DELIVERY_CHECK_SECONDS = env_float("RTCC_DELIVERY_CHECK_SECONDS", 2.0, minimum=0.5)
RTCC_INCIDENT_FROM_EMAIL = env_str("RTCC_INCIDENT_FROM_EMAIL", "rtcc-dispatch@localhost")
RTCC_CAP_SENDER = env_str("RTCC_CAP_SENDER", "rtcc@localhost")
RTCC_NEARBY_CAMERA_RADIUS_M = env_int("RTCC_NEARBY_CAMERA_RADIUS_M", 400, minimum=10, maximum=20_000)
RTCC_INTAKE_ATTACH_CAMERAS = env_int("RTCC_INTAKE_ATTACH_CAMERAS", 4, minimum=0, maximum=20)
if any(c in RTCC_CAP_SENDER for c in " ,<&"):
    raise ImproperlyConfigured(f"RTCC_CAP_SENDER={RTCC_CAP_SENDER!r} must not contain spaces, commas, < or &.")
CELERY_BEAT_SCHEDULE["incidents-escalate-dispatches"] = {
    "task": "incidents.tasks.escalate_dispatches",
    "schedule": RTCC_ESCALATION_CHECK_SECONDS,
}
CELERY_BEAT_SCHEDULE["incidents-send-deliveries"] = {
    "task": "incidents.tasks.send_deliveries",
    "schedule": RTCC_DELIVERY_CHECK_SECONDS,
}

# --- Production hardening (manage.py check --deploy is clean) ---------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"  # with the CSP and more: rtcc/security_headers.py
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"LOG_LEVEL={LOG_LEVEL!r} is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # One line per periodic task every few seconds drowns what matters.
        "celery.worker.strategy": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
        "celery.beat": {"level": "WARNING"},
    },
}

# WhiteNoise serves static files under ASGI; in development straight from static/.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
