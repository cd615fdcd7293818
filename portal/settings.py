"""MotCua settings, read from the environment.

Defaults give the embedded mode used by `make run`: SQLite under var/, the
filesystem Celery transport, a file cache. Setting DATABASE_URL and REDIS_URL
switches to PostgreSQL and Redis with no code change; that is how the same
code runs as N gunicorn and N Celery processes on several machines.
"""

import datetime
import secrets
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("MOTCUA_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
env.read_env(BASE_DIR / ".env")  # optional; real deployments set the environment

DEBUG = env.bool("DEBUG", default=True)


def _secret_key() -> str:
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development only: one random key per checkout, kept so sessions survive restarts.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "formtools",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "portal",
    "health",
    "outbox",
    "requestlimits",
    "qrcodes",
    "accounts",
    "divisions",
    "agencies",
    "registry",
    "procedures",
    "queueing",
    "documents",
    "calendars",
    "notifications",
    "connectors",
    "routing",
    "satisfaction",
    "uploads",
    "dashboard",
]

MIDDLEWARE = [
    # Outermost: Permissions-Policy and no-store reach every answer, static files and errors too.
    "portal.middleware.PrivacyHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.VietnameseFirstLocaleMiddleware",
    # Once the language is chosen: errors under /api/ answer JSON in it, whoever raised them.
    "portal.middleware.ApiJsonErrorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything reads a body (none of the above does): one over REQUEST_BODY_MAX_BYTES is
    # refused unread; its page knows the user and the CSRF cookie.
    "portal.middleware.RequestBodyLimitMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Limits views declare as `rate_limit_scope` (requestlimits/rates.py); after the user is known.
    "requestlimits.rates.PageLimitMiddleware",
    # Last, as its documentation asks: it turns a lockout raised by the login into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "django.template.context_processors.i18n",
                "accounts.context_processors.display_preferences",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'motcua.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: WAL lets readers run beside a writer,
    # IMMEDIATE takes the write lock up front so concurrent writers wait instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Redis, cache and Celery ----------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="motcua")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            # Short timeouts: a partitioned Redis must cost a request a fraction of a second, not
            # hang it. Every cache read in a request has a way on without the cache (rate limits
            # count in the process, the calendar keeps its copy, charts are drawn again).
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    # A file cache is shared by the web, worker and beat processes of the embedded mode.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }

CELERY_QUEUE_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # An unacknowledged message (its worker died) goes back to the queue after this many seconds.
    # It must outlast the longest retry countdown, or a waiting retry would be delivered twice
    # (harmless, consumers are idempotent, but wasteful). The outbox sweep covers a lost queue.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=300),
        "socket_connect_timeout": 2,
        "socket_timeout": 10,
        "retry_on_timeout": True,
    }
else:
    for sub in ("queue", "processed", "results", "control"):
        (CELERY_QUEUE_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_QUEUE_DIR / 'results'}"

CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
# Queues by kind, each with workers of its own (Procfile), so a burst of PDFs never delays a
# hand-off or a notification: routing (hand-offs, sweeps and everything not routed elsewhere),
# documents (PDF rendering: CPU-heavy, its workers capped and niced) and notifications (with the
# calls to other agencies' systems: they wait on the network). CELERY_QUEUE names the routing queue
# and prefixes the others: deployments (and benchmarks) sharing one Redis each name their own.
CELERY_QUEUE = env.str("CELERY_QUEUE", default="celery")
QUEUES_BY_KIND = {
    "routing": CELERY_QUEUE,
    "documents": f"{CELERY_QUEUE}.documents",
    "notifications": f"{CELERY_QUEUE}.notifications",
}
CELERY_TASK_DEFAULT_QUEUE = QUEUES_BY_KIND["routing"]
CELERY_TASK_ROUTES = {
    "documents.*": {"queue": QUEUES_BY_KIND["documents"]},
    "notifications.*": {"queue": QUEUES_BY_KIND["notifications"]},
    "connectors.*": {"queue": QUEUES_BY_KIND["notifications"]},
}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged only once it has run, so a worker that dies mid-task
# leaves it to another worker; tasks are written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Workers are long-lived (WeasyPrint's font set-up is paid once) but recycled now and
# then, so a slow leak in a native library can never grow without bound.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=1000)
CELERY_RESULT_EXPIRES = 3600
# Every task is fire-and-forget: its effect is in the database (documents, messages, figures),
# and nothing waits on a Celery result. Storing results would cost each publish a Redis
# pub/sub subscription in the web process and each task a write, for nothing.
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker whose broker went away keeps reconnecting instead of exiting.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Publishing gives up after about a second; the routing outbox keeps what was not published.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 3,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# Beat's scheduler holds a lease in the database: any number may run, one sends (health/scheduler.py).
CELERY_BEAT_SCHEDULER = "health.scheduler:LeasedScheduler"
HEALTH_BEAT_LEASE_SECONDS = env.float("HEALTH_BEAT_LEASE_SECONDS", default=30.0)
# How often a scheduler that does not hold the lease asks for it again.
HEALTH_BEAT_STANDBY_SECONDS = env.float("HEALTH_BEAT_STANDBY_SECONDS", default=5.0)
# The scheduler sends a heartbeat to every queue this often; a queue whose heartbeat is older than
# HEALTH_SILENT_SECONDS shows as "silent" on /health/status/.
HEALTH_HEARTBEAT_SECONDS = env.float("HEALTH_HEARTBEAT_SECONDS", default=10.0)
HEALTH_SILENT_SECONDS = env.int("HEALTH_SILENT_SECONDS", default=60)
# More lines for /health/status/, one callable per app that has something to report.
HEALTH_CHECKS = ["outbox.checks.outbox_age"]
CELERY_BEAT_SCHEDULE = {
    f"health-heartbeat-{kind}": {
        "task": "health.heartbeat",
        "schedule": HEALTH_HEARTBEAT_SECONDS,
        "args": [queue],
        "options": {"queue": queue, "expires": HEALTH_HEARTBEAT_SECONDS * 3},
    }
    for kind, queue in QUEUES_BY_KIND.items()
}
CELERY_BEAT_SCHEDULE["health-beacons-forget"] = {"task": "health.beacons_forget", "schedule": 3600.0}

# --- The outbox and its relay (outbox/) -------------------------------------
# Sources the relay drains, in order: entering a dossier writes its first hand-off. Each names the
# kind of worker (QUEUES_BY_KIND) that drains it; the relay sends each queue its own drain task.
OUTBOX_SOURCES = [
    "procedures.outbox.DossiersToEnter",
    "routing.outbox.HandoffsToDeliver",
    "accounts.outbox.RecoveryCodesToSend",
    "notifications.outbox.NotificationsToSend",
    "documents.outbox.DocumentsToGenerate",
]
# Items a source does per transaction; batches per source in one sweep (a worker's task and a relay
# pass do one, so sources take turns).
OUTBOX_BATCH = env.int("OUTBOX_BATCH", default=50)
OUTBOX_BATCHES_PER_PASS = env.int("OUTBOX_BATCHES_PER_PASS", default=20)
# On PostgreSQL the relay is woken by each commit and drains anyway this often; on SQLite it polls.
OUTBOX_SWEEP_SECONDS = env.float("OUTBOX_SWEEP_SECONDS", default=5.0)
OUTBOX_POLL_SECONDS = env.float("OUTBOX_POLL_SECONDS", default=0.5)
OUTBOX_BEACON_SECONDS = env.float("OUTBOX_BEACON_SECONDS", default=5.0)
# A source drained by the workers gets at most one task (one batch) per this many seconds from a
# relay, however many commits wake it, and none while an earlier task waits for a free worker.
OUTBOX_DISPATCH_SECONDS = env.float("OUTBOX_DISPATCH_SECONDS", default=0.25)
# While the broker is down the relay does the workers' share itself, on this many threads (PostgreSQL).
OUTBOX_RELAY_THREADS = env.int("OUTBOX_RELAY_THREADS", default=3)
# After a failed publish, this process does not try the broker again for this long.
OUTBOX_BROKER_RETRY_SECONDS = env.float("OUTBOX_BROKER_RETRY_SECONDS", default=2.0)
# Work waiting longer than this shows as "late" on /health/status/.
OUTBOX_ALERT_SECONDS = env.int("OUTBOX_ALERT_SECONDS", default=60)
# The scheduler's sweep: the relay's work when no relay runs.
CELERY_BEAT_SCHEDULE["outbox-sweep"] = {
    "task": "outbox.sweep",
    "schedule": OUTBOX_SWEEP_SECONDS,
    "options": {"expires": OUTBOX_SWEEP_SECONDS * 2},
}

# --- Authentication -------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule on the password: Django calls it after every password change (our pages, the
    # admin, manage.py changepassword) and it revokes the person's API tokens.
    {"NAME": "accounts.passwords.RevokeTokensOnPasswordChange"},
]
# Argon2id first (OWASP's choice for password storage); the others only read old hashes and are
# upgraded on the next sign-in. Tests swap in a fast hasher (conftest.py), never the settings.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# The throttle (django-axes) first: it refuses a locked-out person before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "landing"

# --- Language and time ----------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Domain plug-ins ------------------------------------------------------
# The population registry backend: the local table now, a national connector later.
POPULATION_REGISTRY_BACKEND = env.str(
    "POPULATION_REGISTRY_BACKEND", default="registry.backends.local.LocalRegistry"
)

# --- Procedures: catalogue, e-forms, dossiers -----------------------------
# Sources that prefill e-form fields (procedures/prefill); each is "<module>.<class>".
PROCEDURES_PREFILL_PLUGINS = env.list(
    "PROCEDURES_PREFILL_PLUGINS",
    default=["procedures.prefill.contrib.population_registry.plugin.PopulationRegistryPrefill"],
)
# Same-day procedures received after this local time are due the next working day.
PROCEDURES_SAME_DAY_CUTOFF = env.str("PROCEDURES_SAME_DAY_CUTOFF", default="15:00")
PROCEDURES_UPLOAD_MAX_BYTES = env.int("PROCEDURES_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# A request body over this is refused (413) before it is read (portal/middleware.py): room for five
# files at the upload limit and the form around them (an officer's attachments to a step, a
# citizen's supplement), far below what would tie up a worker.
REQUEST_BODY_MAX_BYTES = env.int(
    "REQUEST_BODY_MAX_BYTES", default=5 * PROCEDURES_UPLOAD_MAX_BYTES + 1024 * 1024
)
# --- Uploads: the one check every file goes through (uploads/checks.py) ------
# A PDF with more pages than this is refused (a dossier's component is a few pages, not a book).
UPLOADS_MAX_PDF_PAGES = env.int("UPLOADS_MAX_PDF_PAGES", default=100)
# clamd's socket: a Unix socket path (Debian: /run/clamav/clamd.ctl) or tcp://host:port. Set in
# production (docs/operations.md); unset, uploads are scanned by the development scanner, which
# knows only the EICAR test file. When clamd does not answer, uploads are refused ("try again").
CLAMD_SOCKET = env.str("CLAMD_SOCKET", default="")
CLAMD_TIMEOUT_SECONDS = env.float("CLAMD_TIMEOUT_SECONDS", default=30.0)
UPLOADS_SCANNER = env.str(
    "UPLOADS_SCANNER",
    default="uploads.scanners.contrib.clamd.scanner.ClamdScanner"
    if CLAMD_SOCKET
    else "uploads.scanners.contrib.development.scanner.DevelopmentScanner",
)
# Drafts nobody touched for this long are deleted with their files (no personal data without purpose).
PROCEDURES_DRAFT_RETENTION_DAYS = env.int("PROCEDURES_DRAFT_RETENTION_DAYS", default=30)
CELERY_BEAT_SCHEDULE["procedures-drafts-purge"] = {"task": "procedures.drafts_purge", "schedule": 3600.0}
# Seconds a process keeps form versions, their procedures and centres, read on every wizard step
# and every filing; a procedure's new fee or time limit shows within this time after a load.
PROCEDURES_CATALOGUE_CACHE_SECONDS = env.int("PROCEDURES_CATALOGUE_CACHE_SECONDS", default=60)

# --- Working calendar and deadline clock (calendars/clock.py) ----------------
# Legal working sessions of a working day, local time; a working day is their sum (8 hours).
CALENDAR_WORKING_SESSIONS = env.str("CALENDAR_WORKING_SESSIONS", default="07:30-11:30,13:00-17:00")
CALENDAR_TIME_ZONE = env.str("CALENDAR_TIME_ZONE", default="Asia/Ho_Chi_Minh")
# Seconds a process trusts its copy of the calendar before asking the shared cache for changes.
CALENDAR_RECHECK_SECONDS = env.float("CALENDAR_RECHECK_SECONDS", default=1.0)
# A dossier or step is "due soon" with less than this much working time left.
DEADLINE_DUE_SOON_WORKING_HOURS = env.int("DEADLINE_DUE_SOON_WORKING_HOURS", default=8)

# --- Queueing: tickets, counters, appointments ------------------------------
# Fairness: a priority ticket counts as taken this many minutes earlier (see queueing/policy.py).
QUEUEING_PRIORITY_HEAD_START_MINUTES = env.int("QUEUEING_PRIORITY_HEAD_START_MINUTES", default=15)
# Tickets not yet served that one citizen ID may hold in a day (phone and kiosk alike).
QUEUEING_MAX_OPEN_TICKETS_PER_CITIZEN = env.int("QUEUEING_MAX_OPEN_TICKETS_PER_CITIZEN", default=2)
# Minutes assumed per citizen until a service has finished tickets to average over.
QUEUEING_DEFAULT_SERVICE_MINUTES = env.int("QUEUEING_DEFAULT_SERVICE_MINUTES", default=6)
# The ticket page tells a citizen to come back when this few people are ahead.
QUEUEING_NEAR_FRONT = env.int("QUEUEING_NEAR_FRONT", default=3)
# Seconds a process keeps a centre's services and opening hours for the ticket API (hot path).
QUEUEING_SETUP_CACHE_SECONDS = env.int("QUEUEING_SETUP_CACHE_SECONDS", default=10)
# Appointments: bookings one citizen ID may hold, and the check-in window around the slot start.
QUEUEING_MAX_BOOKINGS_PER_CITIZEN = env.int("QUEUEING_MAX_BOOKINGS_PER_CITIZEN", default=2)
QUEUEING_CHECK_IN_EARLY_MINUTES = env.int("QUEUEING_CHECK_IN_EARLY_MINUTES", default=30)
QUEUEING_CHECK_IN_GRACE_MINUTES = env.int("QUEUEING_CHECK_IN_GRACE_MINUTES", default=15)
# A chosen slot is kept for the browser that chose it while the booking form is completed.
QUEUEING_SLOT_HOLD_MINUTES = env.int("QUEUEING_SLOT_HOLD_MINUTES", default=5)
# Issue 18: a kiosk's one-time registration link stays valid this long (manage.py kiosk_register).
QUEUEING_KIOSK_LINK_HOURS = env.int("QUEUEING_KIOSK_LINK_HOURS", default=24)
# One-time codes sent by SMS for phone tickets and bookings without an account: lifetime, tries.
QUEUEING_PHONE_CODE_MINUTES = env.int("QUEUEING_PHONE_CODE_MINUTES", default=5)
QUEUEING_PHONE_CODE_ATTEMPTS = env.int("QUEUEING_PHONE_CODE_ATTEMPTS", default=5)
CELERY_BEAT_SCHEDULE["queueing-appointments-expire"] = {
    "task": "queueing.tasks.appointments_expire_task",
    "schedule": 300.0,
}
# The day-before reminder goes out in the late afternoon, local time (CELERY_TIMEZONE).
CELERY_BEAT_SCHEDULE["queueing-appointments-remind"] = {
    "task": "queueing.tasks.appointments_remind_task",
    "schedule": crontab(hour=env.int("QUEUEING_REMINDER_HOUR", default=17), minute=0),
}

# --- Documents: PDF rendering, signatures, verification ---------------------
# Public address printed in QR codes; the verify page lives under it.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
DOCUMENTS_SIGNER_BACKEND = env.str(
    "DOCUMENTS_SIGNER_BACKEND", default="documents.signing.local.LocalKeySigner"
)
DOCUMENTS_PKI_DIR = Path(env.str("DOCUMENTS_PKI_DIR", default=str(VAR_DIR / "pki")))
# A demo certificate authority and per-agency keys, made on first use: never in production.
DOCUMENTS_DEMO_PKI = env.bool("DOCUMENTS_DEMO_PKI", default=DEBUG)
# agency code → PKCS#12 file with that agency's signing key and certificate chain.
DOCUMENTS_PKCS12 = env.dict("DOCUMENTS_PKCS12", default={})
DOCUMENTS_PKCS12_PASSPHRASE = env.str("DOCUMENTS_PKCS12_PASSPHRASE", default="")

# --- Notifications: in-app, e-mail, SMS -------------------------------------
# The channels in use (notifications/channels); a Zalo channel would be one more line.
NOTIFICATIONS_CHANNELS = env.list(
    "NOTIFICATIONS_CHANNELS",
    default=[
        "notifications.channels.in_app.InAppChannel",
        "notifications.channels.email.EmailChannel",
        "notifications.channels.sms.SmsChannel",
    ],
)
# E-mail goes through Django's mail backend: EMAIL_URL=smtp+tls://user:pass@host:587 in
# production; the console backend (printed by the worker) by default.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
if EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":  # noqa: F821 - set just above
    # Logged with a masked address, not printed whole: no personal data in logs by default.
    EMAIL_BACKEND = "notifications.channels.email.LoggedEmailBackend"
# Recipients and texts of e-mails and SMS in the logs, in full: only on a demo machine (`make run`
# sets it, to read one-time codes), never in production (Decree 13/2023).
LOG_PERSONAL_DATA = env.bool("LOG_PERSONAL_DATA", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="MotCua <khong-tra-loi@motcua.example.gov.vn>")
NOTIFICATIONS_SMS_GATEWAY = env.str(
    "NOTIFICATIONS_SMS_GATEWAY", default="notifications.channels.sms.LocalSmsGateway"
)
NOTIFICATIONS_SMS_ASCII = env.bool("NOTIFICATIONS_SMS_ASCII", default=True)
NOTIFICATIONS_LANGUAGE = env.str("NOTIFICATIONS_LANGUAGE", default="vi")
# Attempts per notification, and the backoff between them (base × 2^(n-1), capped).
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=5)
NOTIFICATIONS_RETRY_BASE_SECONDS = env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=30)
NOTIFICATIONS_RETRY_MAX_SECONDS = env.int("NOTIFICATIONS_RETRY_MAX_SECONDS", default=3600)

# --- Connectors to other agencies' systems ------------------------------------
# check name → backend class (connectors/backends); a national system replaces a local one here.
CONNECTORS_BACKENDS = env.dict(
    "CONNECTORS_BACKENDS",
    default={
        "citizen_verify": "connectors.backends.local.CitizenVerify",
        "business_name_unique": "connectors.backends.local.BusinessNameUnique",
        "fee_paid": "connectors.backends.local.FeePaid",
    },
)
# Seconds one call may take before it counts as a timeout (and is retried).
CONNECTORS_TIMEOUT_SECONDS = env.float("CONNECTORS_TIMEOUT_SECONDS", default=10.0)
CONNECTORS_MAX_ATTEMPTS = env.int("CONNECTORS_MAX_ATTEMPTS", default=5)
CONNECTORS_RETRY_BASE_SECONDS = env.int("CONNECTORS_RETRY_BASE_SECONDS", default=15)
CONNECTORS_RETRY_MAX_SECONDS = env.int("CONNECTORS_RETRY_MAX_SECONDS", default=1800)
# A pending call overdue by this long is re-queued by the sweep (broker down, task lost).
CONNECTORS_SWEEP_GRACE_SECONDS = env.int("CONNECTORS_SWEEP_GRACE_SECONDS", default=120)
CELERY_BEAT_SCHEDULE["connectors-sweep"] = {"task": "connectors.sweep", "schedule": 60.0}
# --- Routing between agencies -----------------------------------------------
# An online dossier is confirmed as received, or answered with a supplement request, within this
# many working hours (Decree 118/2025/NĐ-CP).
ROUTING_ONLINE_CONFIRM_HOURS = env.int("ROUTING_ONLINE_CONFIRM_HOURS", default=8)
# Attempts before a hand-off becomes a dead letter, and the cap of the back-off between them.
ROUTING_MAX_ATTEMPTS = env.int("ROUTING_MAX_ATTEMPTS", default=6)
ROUTING_RETRY_BACKOFF_MAX = env.int("ROUTING_RETRY_BACKOFF_MAX", default=30)
# Working days a citizen has to answer a supplement request before processing stops (form 05).
ROUTING_SUPPLEMENT_ANSWER_DAYS = env.int("ROUTING_SUPPLEMENT_ANSWER_DAYS", default=15)
CELERY_BEAT_SCHEDULE["routing-supplements-expire"] = {
    "task": "routing.supplements_expire",
    "schedule": 3600.0,
}
# The deadline watch (routing/deadlines.py): dossiers move between on track, due soon and overdue,
# officers and supervisors are alerted before the deadline, the citizen gets form 04 after it.
DEADLINE_APOLOGY_EXTRA_WORKING_DAYS = env.int("DEADLINE_APOLOGY_EXTRA_WORKING_DAYS", default=3)
CELERY_IMPORTS = ["routing.tasks_deadlines"]  # not a `tasks` module, so not autodiscovered
CELERY_BEAT_SCHEDULE["routing-deadlines-refresh"] = {
    "task": "routing.deadlines_refresh",
    "schedule": env.float("DEADLINE_REFRESH_SECONDS", default=300.0),
}

# --- API ------------------------------------------------------------------
# Versioned under /api/v1/ (portal/api_urls.py). Sessions for the site's own pages (CSRF
# enforced by DRF), tokens for apps and kiosks (accounts.authentication); see docs/api.md.
REST_FRAMEWORK = {
    # drf-spectacular's, adding the 400/401/429 every operation may answer (portal/schema.py).
    "DEFAULT_SCHEMA_CLASS": "portal.schema.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "accounts.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        # DRF's JSON parser, refusing nesting deeper than 32 levels (400, not a RecursionError's 500).
        "requestlimits.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["requestlimits.rates.ScopedLimit"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MotCua API",
    "DESCRIPTION": "The one-stop portal's public API. Authentication, tokens, versioning and rate "
    "limits: docs/api.md.",
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["portal.api_urls.only_v1"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.schema.citizen_id_pattern",
        "portal.schema.text_without_nul",
    ],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "DossierChannelEnum": "procedures.models.Channel.choices",
        "TicketChannelEnum": [("kiosk", "kiosk"), ("phone", "phone")],
    },
    # Swagger UI from the pinned drf-spectacular-sidecar package: no CDN, no inline script.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# Tokens are shown once and stored as a SHA-256 digest; a stolen database leaks no usable key.
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)

# --- Rate limits ----------------------------------------------------------
# One table for the API throttles and the pages doing the same thing (requestlimits/rates.py):
# "<count>/<second|minute|hour|day>" per client address (per account when signed in).
# Counters live in the default cache: Redis when REDIS_URL is set, shared by every process.
RATE_LIMITS = {
    "ticket": env.str("RATE_LIMIT_TICKET", default="10/minute"),
    "booking": env.str("RATE_LIMIT_BOOKING", default="10/minute"),
    # The kiosk page stands in the hall, one address for everybody who walks in.
    "kiosk": env.str("RATE_LIMIT_KIOSK", default="60/minute"),
    "lookup": env.str("RATE_LIMIT_LOOKUP", default="20/minute"),
    "verify": env.str("RATE_LIMIT_VERIFY", default="60/minute"),
    "token": env.str("RATE_LIMIT_TOKEN", default="10/minute"),
    # Password recovery, both steps together: asking for a code and typing it, a few times over.
    "recovery": env.str("RATE_LIMIT_RECOVERY", default="10/hour"),
    "api": env.str("RATE_LIMIT_API", default="600/minute"),
}
# A kiosk serves a whole hall from one address: its token lifts the per-address ticket limit.
RATE_LIMIT_KIOSK_EXEMPT = True
RATE_LIMIT_NAMESPACE = "rl"

# --- Sign-in protection -----------------------------------------------------
# django-axes: after AXES_FAILURE_LIMIT wrong passwords for one user name from one address,
# that pair is refused for AXES_COOLOFF_TIME (site login and the API token endpoint alike).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The address is the client's, counted from the proxy's end (not the proxy's own, shared by all:
# one attacker would lock a user name out for everybody).
AXES_CLIENT_IP_CALLABLE = "requestlimits.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
# Citizen IDs are user names: keep them out of axes' access log (only failures are kept).
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Two-factor sign-in (django-otp, TOTP) for every staff member when on. On by default in
# production (DEBUG off); the demo (DEBUG on) lets staff in with the password alone.
ACCOUNTS_STAFF_2FA_REQUIRED = env.bool("ACCOUNTS_STAFF_2FA_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = "MotCua"
# Staff enrol their authenticator with a code an administrator issues (manage.py
# staff_enrolment_code), valid this long; the password alone never shows the QR code.
ACCOUNTS_ENROLMENT_CODE_HOURS = env.int("ACCOUNTS_ENROLMENT_CODE_HOURS", default=72)
# Password recovery: a 6-digit code to the registry's phone or a verified e-mail, valid this long,
# dead after this many wrong tries; at most this many codes an hour per account (an SMS flood).
ACCOUNTS_RESET_CODE_MINUTES = env.int("ACCOUNTS_RESET_CODE_MINUTES", default=10)
ACCOUNTS_CODE_MAX_ATTEMPTS = env.int("ACCOUNTS_CODE_MAX_ATTEMPTS", default=5)
ACCOUNTS_CODES_PER_HOUR = env.int("ACCOUNTS_CODES_PER_HOUR", default=3)

# --- Security (production) ------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)  # one working day
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Django's own admin at /django-admin/, for developers: off unless switched on (no MotCua model is
# registered there; every role has its own pages).
DJANGO_ADMIN_ENABLED = env.bool("DJANGO_ADMIN_ENABLED", default=False)
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of the app append to X-Forwarded-For (requestlimits/client_address.py): the
# client is that many entries from the right; 0 = no proxy, the header is ignored. The shipped
# nginx (portal/deploy/nginx.conf) is one hop.
TRUSTED_PROXY_HOPS = env.int("TRUSTED_PROXY_HOPS", default=1 if BEHIND_TLS_PROXY else 0)

# Content-Security-Policy (django-csp): only our own scripts and styles, no inline code,
# no third-party origin. QR codes and the PDF previews are data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A 403 is logged as one line, without the traceback Django attaches (its frames hold the
    # request and whatever personal data it carried).
    "filters": {"forbidden_without_trace": {"()": "portal.log_filters.ForbiddenWithoutTrace"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["forbidden_without_trace"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint and fontTools narrate every step at INFO.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
}
