"""The same repository functions migrated to SQLAlchemy 2.0 style. Runs on 2.0 and 2.1."""
