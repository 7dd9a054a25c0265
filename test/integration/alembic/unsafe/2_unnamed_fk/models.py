"""The application's metadata before it had a naming_convention (unsafe)."""
import sqlalchemy as sa

metadata = sa.MetaData()
