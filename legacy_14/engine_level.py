"""Engine-level calls in 1.4 style: engine.execute() and Session.execute() on bare strings."""

import os

from sqlalchemy import create_engine, text

from legacy_14.models import Tenant

# The guide's bridge: the same 1.4 runtime in 2.0 mode (no autocommit, no engine.execute).
future_engine = create_engine(os.environ["DATABASE_URL"], future=True)


def count_users(engine):
    """1.4: engine.execute() on a string, connectionless, .scalar()."""
    return engine.execute("SELECT count(*) FROM users").scalar()


def count_users_future():
    """1.4 with future=True: the guide's transitional code, text() on an explicit connection."""
    with future_engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM users")).scalar_one()


def check_db_alive(session):
    """1.4: Session.execute() accepted a bare SQL string."""
    try:
        session.execute("SELECT 1")
        return True
    except Exception:
        return False


def get_tenant_legacy_path(session, slug):
    """1.4: the sync query the guide's run_sync bridge wraps."""
    return session.query(Tenant).filter(Tenant.slug == slug).one_or_none()
