"""Settings of the fix() round trip's Django project (test/integration/fixback/run.sh): one app
(store), PostgreSQL through psycopg2, the connection from the environment (PGHOST, PGPORT,
PGUSER, MG_DB_NAME; MG_PGOPTIONS, with which the test runs the original migration with the
guard off)."""
import os

SECRET_KEY = "migration-guard-integration-test"
DEBUG = False
USE_TZ = True
INSTALLED_APPS = ["store"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("MG_DB_NAME", "mg_fixback_django"),
        "HOST": os.environ.get("PGHOST", ""),
        "PORT": os.environ.get("PGPORT", ""),
        "USER": os.environ.get("PGUSER", ""),
        "OPTIONS": {"options": os.environ.get("MG_PGOPTIONS", "")},
    }
}
