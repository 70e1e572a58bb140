"""What both sides share and what depends on no one SQLAlchemy version: the schema, the worker."""
