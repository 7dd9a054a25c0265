"""Settings for the migration_guard integration test: one app (shop), PostgreSQL through
psycopg2, the connection taken from the environment (PGHOST, PGPORT, PGUSER, MG_DB_NAME)."""
import os

SECRET_KEY = "migration-guard-integration-test"
DEBUG = False
USE_TZ = True
INSTALLED_APPS = ["shop"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("MG_DB_NAME", "mg_django"),
        "HOST": os.environ.get("PGHOST", ""),
        "PORT": os.environ.get("PGPORT", ""),
        "USER": os.environ.get("PGUSER", ""),
        # A DDL statement that has to queue for its lock gives up after 5 seconds instead of
        # stalling every query queued behind it.
        "OPTIONS": {"options": "-c lock_timeout=5s"},
    }
}
