"""Django settings: a thin copy of `config.load()` into Django's names (which fails fast on unsafe values).

SQLite in the user's data folder by default (WAL with synchronous=FULL, foreign keys, busy timeout, immediate
transactions); `DATABASE_URL=postgresql://…` switches to PostgreSQL through psycopg 3.
"""

from __future__ import annotations

import datetime as dt

from csp.constants import NONE, SELF

from sciatica_care.site.config import load

CONFIG = load()

DEBUG = CONFIG.debug
SECRET_KEY = CONFIG.secret_key
ALLOWED_HOSTS = CONFIG.allowed_hosts
DATA_DIR = CONFIG.data_dir
SCIATICA_CARE_ENV = CONFIG.env
# Django's admin: the deployment's superuser only, on this unguessable path; None (the default): not served.
SCIATICA_CARE_ADMIN_PATH = CONFIG.admin_path

INSTALLED_APPS = [
    "sciatica_care.site.admin_apps.SuperuserAdminConfig",  # django.contrib.admin, for superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "ninja",
    "axes",  # login throttling shared by every process (database, or Redis with CACHE_URL)
    "django_otp",  # second factor: TOTP devices and one-time recovery codes
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",  # the background work's queue, in the clinic's own database
    "sciatica_care.clinic",
    "sciatica_care.scheduling",
    "sciatica_care.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): password and second factor both given
    "sciatica_care.portal.confinement.PatientConfinementMiddleware",  # a patient account: /portal/ only, else 404
    "django.contrib.messages.middleware.MessageMiddleware",
    "sciatica_care.clinic.idle.IdleLogoffMiddleware",  # ends a session left idle longer than the clinic allows
    "sciatica_care.clinic.second_factor.SecondFactorMiddleware",  # no page before the second factor, where required
    "sciatica_care.clinic.kiosk.KioskLockMiddleware",  # a tablet handed to a patient reaches its questionnaire only
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # a locked-out sign-in gets the lockout page (429)
    "sciatica_care.clinic.views.rights.CareTeamMiddleware",  # outside the care team: the break-the-glass form
]

ROOT_URLCONF = "sciatica_care.site.urls"
WSGI_APPLICATION = "sciatica_care.site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
            # `{% submission_token "<form>" %}` on every write form, without a `{% load %}` line.
            "builtins": ["sciatica_care.clinic.templatetags.submission_tags"],
        },
    },
]


def _database() -> dict[str, object]:
    if CONFIG.database_url:
        import dj_database_url

        db = dict(dj_database_url.parse(CONFIG.database_url, conn_max_age=60, conn_health_checks=True))
        if db["ENGINE"] == "django.db.backends.postgresql":
            # named after the database, so runs against different databases on one server never collide
            db.setdefault("TEST", {"NAME": f"test_{db['NAME'] or 'sciatica_care'}"})
        return db
    CONFIG.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Durability: a write is acknowledged (the view returns) only after its transaction has committed, and
    # with journal_mode=WAL + synchronous=FULL SQLite fsyncs the WAL at every COMMIT, before COMMIT returns.
    # So an acknowledged write survives a SIGKILL of the server *and* a power cut or OS crash.
    # synchronous=NORMAL would also survive SIGKILL (COMMIT has write()n the WAL frames, which then live in the
    # OS page cache, and the next connection replays the WAL), but a power cut could roll back the last
    # commits — acknowledged visits lost on a clinic laptop whose battery died. Clinic write rates are tiny
    # (a few charted sessions an hour per practitioner), so the one fsync per commit (~0.2 ms here, a few ms on
    # a slow disk) is worth it. tests/clinic/test_clinic_crash.py kills the server mid-burst to prove the rest.
    # Connections are kept (as for PostgreSQL): with CONN_MAX_AGE=0 every request opened a new SQLite connection,
    # ran the init PRAGMAs and started with an empty page cache — ~1 ms of every page. Durability is unchanged
    # (it is per COMMIT, above); `restore` copies in place and asks for the server to be stopped first.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(CONFIG.data_dir / "clinic.sqlite3"),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            # Foreign keys are switched on by Django itself on every SQLite connection.
            # One writer at a time: a write waits for the lock rather than failing while a burst of bookings
            # (a freed slot, the online page at opening time) is written one by one.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=20000;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


DATABASES = {"default": _database()}
# PostgreSQL: `migrate` runs as the tables' owner (cli/clinic_commands.py), the app as DATABASE_URL's role.
SCIATICA_CARE_DATABASE_OWNER: dict[str, object] | None = None
if CONFIG.database_owner_url:
    import dj_database_url

    SCIATICA_CARE_DATABASE_OWNER = dict(dj_database_url.parse(CONFIG.database_owner_url))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "clinic.Staff"
AUTHENTICATION_BACKENDS = [
    "sciatica_care.site.backends.ThrottleBackend",  # django-axes: refuses a locked pair before the password check
    "sciatica_care.site.backends.ClinicModelBackend",
    "sciatica_care.portal.patient_auth.PatientBackend",  # the portal: email and a one-time code, or a password
]

PASSWORD_HASHERS = [
    # Argon2id at OWASP's minimum (19 MiB, t=2, p=1) rather than Django's 100 MiB: see site/hashers.py.
    # Hashes made with Django's defaults still verify and are re-hashed with these at the next login.
    "sciatica_care.site.hashers.ClinicArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "clinic:login"
LOGIN_REDIRECT_URL = "clinic:patient_list"
LOGOUT_REDIRECT_URL = "clinic:login"

# default: shared by every server process — in the database (table `sciatica_care_cache`, made by migration 0011),
# or Redis when CACHE_URL is set. Throttles (questionnaire links, kiosk unlock) count there.
# plan_bodies: the plan page's rendered body per distinct plan (clinic/figures.py `plan_body`), per process;
# ~90 KB each on average, so at most ~25 MB.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CONFIG.cache_url}
    if CONFIG.cache_url else
    {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "sciatica_care_cache"},
    "plan_bodies": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "plan-bodies",
                    "TIMEOUT": 24 * 60 * 60, "OPTIONS": {"MAX_ENTRIES": 250}},
    # charts: drawn progress charts per distinct content (clinic/figures.py `progress_chart_svg`), ~35 KB each.
    "charts": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "charts",
               "TIMEOUT": 24 * 60 * 60, "OPTIONS": {"MAX_ENTRIES": 500}},
    # diary_findings: the trigger analysis of a patient's diary as it stands (portal/diary_findings.py), ~5 KB each.
    "diary_findings": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "diary-findings",
                       "TIMEOUT": 24 * 60 * 60, "OPTIONS": {"MAX_ENTRIES": 2000}},
}

# Background work (notifications, reminders, exports): Django's tasks API through django-tasks, queued in the
# clinic's own database so that no other service is needed; `sciatica-care serve` starts a worker beside the web
# server and `sciatica-care worker` runs one alone.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Login throttling: django-axes (see clinic/signin.py). Five failures for one username (normalised) from one
# client address lock that pair for 15 minutes; other addresses, and other usernames from that address, still
# sign in. Counted in the database, or in Redis when CACHE_URL is set, so every server process sees them.
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = ("axes.handlers.cache.AxesCacheHandler" if CONFIG.cache_url
                else "axes.handlers.database.AxesDatabaseHandler")
AXES_CACHE = "default"
AXES_USERNAME_CALLABLE = "sciatica_care.clinic.signin.axes_username"
AXES_CLIENT_IP_CALLABLE = "sciatica_care.clinic.signin.axes_client_ip"
AXES_LOCKOUT_CALLABLE = "sciatica_care.clinic.signin.lockout_response"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# The real client address: X-Forwarded-For is believed only from these proxies (SCIATICA_CARE_TRUSTED_PROXIES).
SCIATICA_CARE_TRUSTED_PROXIES = CONFIG.trusted_proxies
# Second factor (django-otp): always enforced (clinic admins, clinics that require it, whoever has one); the
# environment cannot turn it off. Only the test suite turns it off for tests that are not about signing in.
SCIATICA_CARE_SECOND_FACTOR = True
OTP_TOTP_ISSUER = "Sciatica Care"
# Idle logoff: a clinic setting (Clinic.idle_minutes, default 15) beside the absolute SESSION_COOKIE_AGE.

# Email (staff invitations): printed on the console unless an SMTP server is configured.
EMAIL_BACKEND = CONFIG.email_backend
EMAIL_HOST = CONFIG.email_host
EMAIL_PORT = CONFIG.email_port
EMAIL_HOST_USER = CONFIG.email_user
EMAIL_HOST_PASSWORD = CONFIG.email_password
EMAIL_USE_TLS = CONFIG.email_port != 25
DEFAULT_FROM_EMAIL = CONFIG.email_from
EMAIL_FILE_PATH = str(CONFIG.email_files) if CONFIG.email_files else None  # one .eml a message
# A send never waits on the mail server longer than this, so a worker's claim on its messages (the outbox's lease,
# at least three times as long) never runs out while it is alive.
EMAIL_TIMEOUT = 20

# Patients' and colleagues' messages (scheduling/outbox.py): SMS through scheduling/sms.py's backend ("console",
# "file" into SCIATICA_CARE_SMS_FILES, or a provider's dotted path); links in messages start with the base URL.
SCIATICA_CARE_SMS_BACKEND = CONFIG.sms_backend
SCIATICA_CARE_SMS_FILES = str(CONFIG.sms_files or CONFIG.data_dir / "sms")
SCIATICA_CARE_BASE_URL = CONFIG.base_url
# Periodic jobs of the worker besides its own (scheduling/worker.py): name -> (dotted path, every so many seconds).
SCIATICA_CARE_WORKER_JOBS = {"waitlist offers": ("sciatica_care.scheduling.waitlist.expire_due", 60)}
SCIATICA_CARE_OUTBOX_LEASE_SECONDS = CONFIG.outbox_lease_seconds
# The patient's link to reschedule or cancel, in confirmations, reminders and "moved" messages (manage_link.py).
SCIATICA_CARE_MANAGE_LINK = "sciatica_care.scheduling.manage_link.url"
# Staff invitation links (Django's password-reset tokens) stay valid for 3 days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 60 * 60

# Cookies and transport.
SESSION_COOKIE_SECURE = not CONFIG.development
CSRF_COOKIE_SECURE = not CONFIG.development
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if CONFIG.https:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True

# Content-Security-Policy (django-csp 4): nothing inline, nothing from elsewhere.
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
    },
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = str(CONFIG.data_dir / "static")
WHITENOISE_USE_FINDERS = True  # serve straight from the installed package: no collectstatic step needed
WHITENOISE_AUTOREFRESH = CONFIG.development

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
