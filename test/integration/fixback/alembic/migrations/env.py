"""Alembic environment of the fix() round trip (test/integration/fixback/run.sh), online and
offline: "alembic upgrade a01:a02 --sql" prints the SQL of a migration without a database, which
is what migration_guard_check --fix reads. Each migration runs in its own transaction, as in
test/integration/alembic (transaction_per_migration=True)."""
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

if context.config.config_file_name is not None:
    fileConfig(context.config.config_file_name)


def run_migrations_offline():
    context.configure(url="postgresql://", literal_binds=True, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    # MG_PGOPTIONS: the test runs the original migration with the guard off this way
    engine = create_engine(os.environ["MG_DATABASE_URL"], poolclass=pool.NullPool,
                           connect_args={"options": os.environ.get("MG_PGOPTIONS", "")})
    with engine.connect() as connection:
        context.configure(connection=connection, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
