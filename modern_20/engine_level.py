"""Engine-level calls in 2.0 style (sync): text() on explicit connections and sessions."""

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from modern_20.models import Tenant


def count_users(engine: Engine) -> int:
    """2.0: no engine.execute(); an explicit connection, text(), scalar_one()."""
    with engine.connect() as conn:
        count: int = conn.execute(text("SELECT count(*) FROM users")).scalar_one()
        return count


def check_db_alive(session: Session) -> bool:
    """2.0: a bare string raises ObjectNotExecutableError, so the probe is wrapped in text()."""
    try:
        session.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


def get_tenant_legacy_path(session: Session, slug: str) -> Tenant | None:
    """2.0 (sync): the statement the async bridge runs through run_sync()."""
    return session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
