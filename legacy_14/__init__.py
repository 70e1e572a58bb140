"""Repository functions written the way SQLAlchemy 1.4 code was written. Runs only on 1.4."""
