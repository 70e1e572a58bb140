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
