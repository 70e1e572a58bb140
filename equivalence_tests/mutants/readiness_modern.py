"""Modern functions for the readiness tests."""

from sqlalchemy.orm import Session

from modern_20.models import User


def get_user(session: Session, user_id: int) -> User | None:
    """Planted: the legacy Query.get() left in migrated code (2.0 says LegacyAPIWarning)."""
    return session.query(User).get(user_id)


def get_user_migrated(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)
