"""Alembic environment, set up the way migration_guard expects (README: "Using it with Alembic").

- transaction_per_migration=True: each migration runs and commits in its own transaction.
  Alembic's default runs every pending migration of one "upgrade" in a single transaction, so
  an ALTER TABLE in one migration would still hold its lock while the next one backfills.
- target_metadata carries the naming_convention (models.py), which Alembic's operations use
  for constraints created with name None.
- lock_timeout for the session: a DDL statement that has to queue for its lock gives up after
  5 seconds instead of stalling every query queued behind it.
"""
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

from models import metadata


if context.config.config_file_name is not None:
    fileConfig(context.config.config_file_name)


def run_migrations_online():
    engine = create_engine(
        os.environ["MG_DATABASE_URL"],
        poolclass=pool.NullPool,
        connect_args={"options": "-c lock_timeout=5s"},
    )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
