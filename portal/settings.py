"""Settings, read from the environment (see CONTRACTS.md, "Environment")."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-insecure-key-change-me-in-production")
DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "import_export",
    "portal.apps.ScheduleConfig",
    "portal.apps.AxesConfig",
    "portal",
    "programs",
    "courses",
    "incentives",
    "leave",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "portal.middleware.CachedAuthenticationMiddleware",  # the user from the page cache when it is on
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "portal.middleware.BadQueryInputMiddleware",
    "portal.middleware.ConflictMiddleware",
    # A plan whose stored rules cannot be read answers with the problems in Chinese, never a 500.
    "incentives.middleware.RuleParameterErrorMiddleware",
    # Last, as django-axes asks: it turns repeated failed log-ins into a lock-out page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Directory sign-in (portal/directory.py), beside local accounts, when LDAP_SERVER_URI is set.
AUTH_LDAP_SERVER_URI = env("LDAP_SERVER_URI", default="")
if AUTH_LDAP_SERVER_URI:
    import ldap
    from django_auth_ldap.config import LDAPSearch

    AUTHENTICATION_BACKENDS.append("portal.directory.DirectoryBackend")
    AUTH_LDAP_BIND_DN = env("LDAP_BIND_DN", default="")
    AUTH_LDAP_BIND_PASSWORD = env("LDAP_BIND_PASSWORD", default="")
    AUTH_LDAP_USER_SEARCH = LDAPSearch(
        env("LDAP_SEARCH_BASE"), ldap.SCOPE_SUBTREE, f"({env('LDAP_LOGIN_ATTR', default='uid')}=%(user)s)"
    )
    # Which portal field the directory user matches: the account name (帳號) or the e-mail.
    PORTAL_LDAP_MATCH = env("LDAP_MATCH", default="username")
    PORTAL_LDAP_EMAIL_ATTR = env("LDAP_EMAIL_ATTR", default="mail")
# Log-in throttling: 5 failures for one user name, from any address, lock it for 30 minutes;
# AXES_IP_FAILURE_LIMIT failures from one address, over any user names, lock that address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.5
# Two separate counts (issue 15, item 5): per username across addresses, and per address
# across usernames, each with its own limit (portal.lockout).
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=20)
AXES_HANDLER = "portal.lockout.LockoutHandler"
# The lock-out page in Chinese: what happened, for how long (AXES_COOLOFF_TIME), and a way back.
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

ROOT_URLCONF = "portal.urls"

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
                "portal.context_processors.roles",
            ],
            "builtins": ["portal.templatetags.roc", "portal.templatetags.people"],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Imports hold one short write transaction; wait for it rather than fail. WAL lets the
    # pages read while a worker writes, and with synchronous=NORMAL a commit (an import's
    # progress, a page's session) no longer waits for the disk: still safe against crashes
    # of the process, as SQLite documents for WAL.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;",
        }
    )

else:
    # Each web process keeps its PostgreSQL connection between requests (checked before reuse):
    # opening one costs several milliseconds, more than a cached page's whole work (issue 20).
    # `DATABASE_CONN_MAX_AGE` seconds (0: a connection a request), or `?conn_max_age=` in the URL.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "portal.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hant"
LANGUAGES = [("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "portal" / "locale"]
TIME_ZONE = "Asia/Taipei"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "portal" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"

# Uploaded import files; larger files are refused before they are read. A national export of
# the lifelong-learning portal (360,000 people, about 18M records) is about 2 GB as CSV.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=2 * 1024 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# An upload over 2.5 MB goes to a temporary file on disk as it arrives (never held in memory),
# and the import reads it from there.
FILE_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_TEMP_DIR = env("FILE_UPLOAD_TEMP_DIR", default=None)

# Mail: the console backend (portal.mail: readable Chinese subjects) unless EMAIL_URL (e.g. smtp+tls://user:pass@host:587) names a server.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="portal.mail.ConsoleBackend")
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
# The file backend's directory (EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend).
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "sent-mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@elearning.gov.tw")
# The portal's address, for links in e-mails.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://localhost:8000")

# Celery: with no broker, tasks run in-process so a newcomer needs nothing running.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://"
# Results are kept only for the tasks that ask (`ignore_result=False`: the chunks of a
# distributed `evaluate --workers`), in the broker's Redis unless another backend is named.
CELERY_RESULT_BACKEND = env(
    "CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else None
)
CELERY_RESULT_EXPIRES = 3600

# Django's cache: `CACHE_URL` (django-environ: redis://host:6379/1, locmemcache://, …); by
# default each process's own memory.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "portal.cache.RedisCache"  # one Redis client per pool, not per call
# The employee page's never-stale cache (portal.pagecache): seconds an entry lives, or on/off.
# On by default only where every write is seen by the same cache: a shared cache (Redis,
# memcached, the database). A process-local cache misses the writes of every other process:
# other gunicorn workers, a Celery worker, and a `manage.py import_records` run by hand beside
# `make run`'s server, so it is off there even with tasks in-process.
_SHARED_CACHE = not CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache", "FileBasedCache"))
_page_cache = env("EMPLOYEE_PAGE_CACHE", default="on" if _SHARED_CACHE else "off")
EMPLOYEE_PAGE_CACHE = {"on": 86400, "true": 86400, "yes": 86400, "off": 0, "false": 0, "no": 0}.get(
    _page_cache.strip().lower()
)
if EMPLOYEE_PAGE_CACHE is None:
    EMPLOYEE_PAGE_CACHE = int(_page_cache)  # seconds; 0 turns it off
# With a shared cache, sessions are read from it and written through to the database (a page
# read costs a cache read, not a query). A process-local cache would keep a session another
# process ended (a log-out), so without a shared cache they stay in the database alone.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db" if _SHARED_CACHE else "django.contrib.sessions.backends.db"
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_ids": {"()": "portal.nationalid.MaskNationalIdFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_ids"]},
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every layout step at INFO, and its CSS warnings at WARNING (kept).
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
# No inline scripts anywhere; inline styles only where the Django admin still writes them.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Scheduled jobs (celery beat): unused compensatory leave lapses on its own date.
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE = {
    # Grants first (00:05), then lapses (00:10): README "Nightly jobs".
    "leave-grant": {"task": "leave.grant_leave_everywhere", "schedule": crontab(hour=0, minute=5)},
    "leave-lapse": {"task": "leave.lapse_leave", "schedule": crontab(hour=0, minute=10)},
    # Reminders after the night's grants and lapses (issue 18): lapsing hours, deadlines, waiting work.
    "notices-reminders": {"task": "portal.send_reminders", "schedule": crontab(hour=6, minute=30)},
    # The staff pages' stored standings (issue 20), after the grants: as of the new day.
    "standings-refresh": {"task": "incentives.refresh_standings_everywhere", "schedule": crontab(hour=0, minute=30)},
    "documents-purge-expired": {"task": "portal.purge_expired_documents", "schedule": crontab(minute=25)},
    "import-previews-purge-expired": {"task": "portal.purge_expired_previews", "schedule": crontab(minute=40)},
}

# Long documents: a roster with more decisions than this is rendered by a job (about 5 s per
# 1,000 rows, STACK.md) and offered for download; generated files are kept this many hours.
# Employees evaluated together by a streamed `evaluate` (and per Celery task with --workers):
# memory and queries are per chunk (issue 20).
EVALUATION_CHUNK_SIZE = env.int("EVALUATION_CHUNK_SIZE", default=2000)
# PostgreSQL, outside a transaction: the next chunk's statements are sent on a second
# connection and answered while this chunk's rules run in Python (portal.prefetch).
EVALUATION_PREFETCH = env.bool("EVALUATION_PREFETCH", default=True)
ROSTER_BACKGROUND_THRESHOLD = env.int("ROSTER_BACKGROUND_THRESHOLD", default=300)
# The staff standing's 「全部」 XLSX/PDF of more people than this is a background job (issue 20).
STANDING_BACKGROUND_THRESHOLD = env.int("STANDING_BACKGROUND_THRESHOLD", default=300)
# With workers, a staff page refreshes a stale plan's stored standings itself when the plan
# covers at most this many people (a larger plan's refresh is queued for the workers).
STANDING_REFRESH_IN_REQUEST = env.int("STANDING_REFRESH_IN_REQUEST", default=2000)
DOCUMENT_RETENTION_HOURS = env.int("DOCUMENT_RETENTION_HOURS", default=7 * 24)
# An import previewed on the upload page keeps its file this many hours, for HR to apply it.
PREVIEW_RETENTION_HOURS = env.int("PREVIEW_RETENTION_HOURS", default=24)

# National minimum learning hours per year (from the given year on): total and set topics.
# From 2017: 20 hours, 10 on set topics (1 policy, 4 environment, 5 democratic governance).
YEARLY_MINIMUM_HOURS = {
    2006: {"total": 40, "set_topics": 0},
    2017: {"total": 20, "set_topics": 10},
}

# Seasonal draws (Kaohsiung 103 四季悅讀): one prize per person per season. The seed says
# 完成1門獲得1次抽獎機會 and 50 prizes, not whether one person may win twice; we read it as once.
DRAW_ONE_WIN_PER_PERSON = env.bool("DRAW_ONE_WIN_PER_PERSON", default=True)

# A fixed "today" for the demo (ISO date; see portal/clock.py); empty means the real date.
PORTAL_TODAY = env("PORTAL_TODAY", default="")
