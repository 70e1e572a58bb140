"""Legacy functions for the readiness tests: what 2.0 does to 1.4-style code."""

from sqlalchemy import text

from legacy_14.models import User


def count_users_raw(session):
    """Cannot run on 2.0: a bare SQL string to Session.execute()."""
    return session.execute("SELECT count(*) FROM users").scalar()


def first_row_has_id(session):
    """Runs on 2.0 but answers otherwise: `in` on a 1.4 LegacyRow tests its keys, on a 2.0 Row
    its values."""
    row = session.connection().execute(text("SELECT 1 AS id")).first()
    return "id" in row


def get_user(session, user_id):
    return session.query(User).get(user_id)
