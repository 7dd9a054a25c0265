"""Settings for the stock-apps integration test: Django's contrib apps and third-party apps
from Debian, unchanged, migrated against a guarded cluster (PGHOST, PGPORT, PGUSER, MG_DB_NAME)."""
import os

SECRET_KEY = "migration-guard-integration-test"
DEBUG = False
USE_TZ = True
SITE_ID = 1
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.admin",
    "django.contrib.sessions",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.redirects",
    "django.contrib.messages",
    "taggit",
    "reversion",
    "axes",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_hotp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_email",
    "oauth2_provider",
    "constance",
    "constance.backends.database",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "django_comments",
    "django_celery_results",
    "django_celery_beat",
    "sitetree",
    "invitations",
    "health_check",
    "health_check.db",
    "tagging",
    "stocksite",  # the test's own management commands (migrate_counted, roll_each)
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "axes.middleware.AxesMiddleware",
]
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("MG_DB_NAME", "mg_django_stock"),
        "HOST": os.environ.get("PGHOST", ""),
        "PORT": os.environ.get("PGPORT", ""),
        "USER": os.environ.get("PGUSER", ""),
        # A DDL statement that has to queue for its lock gives up after 5 seconds; the test adds
        # its own settings (application_name, an audited override) through MG_EXTRA_OPTIONS.
        "OPTIONS": {"options": ("-c lock_timeout=5s " + os.environ.get("MG_EXTRA_OPTIONS", "")).strip()},
    }
}

