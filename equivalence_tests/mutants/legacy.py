"""Legacy halves of the quality tests' pairs: plain 1.4 code, run by the legacy worker."""

from sqlalchemy import Integer, cast, func

from legacy_14.models import Order, OrderItem, Tenant, User


def find_user_by_name(session, name):
    return session.query(User).filter(User.name == name).order_by(User.id).first()


def users_with_orders(session):
    return session.query(User).join(User.orders).filter(Order.status != "cancelled").all()


def items_per_order(session):
    total = session.query(func.sum(OrderItem.quantity)).scalar_subquery()
    count = session.query(func.count(Order.id)).scalar_subquery()
    return session.query((cast(total, Integer) / func.nullif(count, 0)).label("ratio")).scalar()


def random_active_user(session):
    return session.query(User).order_by(func.random()).first()


def deactivate_user(session, user_id):
    user = session.query(User).get(user_id)
    if user is not None:
        user.is_active = False
        session.commit()
    return user


def add_tenants(session, slugs):
    for slug in slugs:
        session.add(Tenant(slug=slug, name=slug.upper()))
    session.commit()
    return session.query(Tenant).filter(Tenant.slug.in_(slugs)).order_by(Tenant.id).all()


def oldest_signup(session):
    return session.query(func.min(User.created_at)).scalar()


def price_ratio(session):
    return 0.1 * session.query(func.count(User.id)).scalar() + 0.2


def crash():
    """A worker that dies mid-call (as a segfaulting driver would)."""
    import os

    os._exit(7)


def hang(seconds):
    import time

    time.sleep(seconds)


stuck_session = None


def lock_user_and_leave(user_id):
    """A module-level session that updates a row and never commits: it keeps the row lock."""
    global stuck_session
    from sqlalchemy.orm import Session

    from legacy_14.database import engine

    stuck_session = stuck_session or Session(engine)
    stuck_session.query(User).update({User.is_active: False})
    return user_id


def read_and_leave(user_id):
    """A module-level session that reads and never ends its transaction ("idle in transaction")."""
    global stuck_session
    from sqlalchemy.orm import Session

    from legacy_14.database import engine

    stuck_session = stuck_session or Session(engine)
    return stuck_session.query(User).filter(User.id == user_id).count()


# Return values the canonical form must know. These use only what 1.4 and 2.x share, so the
# unit tests run each of them on both workers (test_canonical_results.py).


def update_rowcount(session):
    """Query.update() returns the number of rows matched, as an int."""
    query = session.query(User).filter(User.is_active == True)
    return query.update({User.name: "renamed"}, synchronize_session=False)


def count_users(session):
    return session.query(User).count()


def user_rows(session):
    from sqlalchemy import select

    return session.execute(select(User.id, User.email).order_by(User.id))


def user_rows_cursor(session):
    """A CursorResult (1.4: LegacyCursorResult) of a SELECT, from the session's connection."""
    from sqlalchemy import select

    return session.connection().execute(select(User.id, User.email).order_by(User.id))


def user_rows_list(session):
    from sqlalchemy import select

    return session.execute(select(User.id, User.email).order_by(User.id)).all()


def user_update_result(session):
    """The result of an UPDATE without RETURNING: no rows, a rowcount."""
    from sqlalchemy import update

    stmt = update(User).where(User.is_active == True).values(name="renamed")
    return session.execute(stmt.execution_options(synchronize_session=False))


def user_update_fetch(session):
    """An UPDATE whose rows the ORM consumes itself (synchronize_session="fetch"): only the
    rowcount tells the caller anything."""
    from sqlalchemy import update

    stmt = update(User).where(User.is_active == True).values(name="renamed")
    return session.execute(stmt.execution_options(synchronize_session="fetch"))


def user_ids_scalars(session):
    from sqlalchemy import select

    return session.execute(select(User.id).order_by(User.id)).scalars()


def user_mappings(session):
    from sqlalchemy import select

    return session.execute(select(User.id, User.email).order_by(User.id)).mappings()


def first_user_row(session):
    from sqlalchemy import select

    return session.execute(select(User.id, User.email).order_by(User.id)).first()


def first_user_mapping(session):
    from sqlalchemy import select

    return session.execute(select(User.id, User.email).order_by(User.id)).mappings().first()


def user_entity_rows(session):
    from sqlalchemy import select

    return session.execute(select(User).order_by(User.id))


def user_emails_generator(session):
    """A generator: it runs its query only when iterated, so while the session is open."""
    from sqlalchemy import select

    return (user.email for user in session.execute(select(User).order_by(User.id)).scalars())


def failing_generator(session):
    """A generator that raises half way: the caller sees the error, so that is the outcome."""

    def emails():
        yield "first"
        raise ValueError("no second")

    return emails()


def closed_result(session):
    from sqlalchemy import select

    result = session.execute(select(User.id))
    result.close()
    return result


def user_id_set(session):
    return {user_id for (user_id,) in session.query(User.id)}


def session_factory(session):
    """A value with no canonical form at all."""
    from sqlalchemy.orm import sessionmaker

    return sessionmaker(bind=session.bind)


def shout(megabytes):
    """Side code that writes a lot to stderr on every call."""
    import sys

    line = "x" * 1023 + "\n"
    for _ in range(megabytes * 1024):
        sys.stderr.write(line)
    sys.stderr.flush()
    return megabytes


def crash_saying(message):
    """A worker that says why on stderr, then dies."""
    import os
    import sys

    sys.stderr.write(f"noise\n{message}\n\n")
    sys.stderr.flush()
    os._exit(9)


def users_by_latest_order(session):
    """Users who ordered, most recent order first: ordered by a key the result does not carry."""
    latest = (session.query(Order.user_id, func.max(Order.created_at).label("latest"))
              .group_by(Order.user_id).subquery())
    return (session.query(User).join(latest, latest.c.user_id == User.id)
            .order_by(latest.c.latest.desc()).all())
