"""Alembic's stock env.py (the 'generic' template of 'alembic init'), with the URL and the
connection options taken from the environment: MG_DATABASE_URL, and MG_EXTRA_OPTIONS for the
test's own settings (application_name, an audited override). MG_TRANSACTION_PER_MIGRATION=1
turns on transaction_per_migration; by default, as in the template, one "alembic upgrade" runs
every pending migration in one transaction."""
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

from models import metadata

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = metadata


def run_migrations_online() -> None:
    options = os.environ.get("MG_EXTRA_OPTIONS", "")
    connectable = create_engine(
        os.environ["MG_DATABASE_URL"],
        poolclass=pool.NullPool,
        connect_args={"options": options} if options else {},
    )
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            transaction_per_migration=os.environ.get("MG_TRANSACTION_PER_MIGRATION") == "1",
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
