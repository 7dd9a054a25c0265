"""The application's SQLAlchemy metadata.

The naming_convention gives every index and constraint that SQLAlchemy and Alembic emit a
deterministic name, also when a migration passes None as the name (op.create_foreign_key(None,
...)). migration_guard refuses unnamed constraints (rule constraint_unnamed): the later
VALIDATE CONSTRAINT or DROP CONSTRAINT must be able to name them.
"""
import sqlalchemy as sa

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
