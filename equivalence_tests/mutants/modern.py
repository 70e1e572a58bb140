"""Migrations for the quality tests: wrong ones the workbench must flag, right ones it must pass."""

import datetime as dt
import threading
from collections.abc import Sequence
from typing import Any

from sqlalchemy import CursorResult, Integer, cast, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncResult, AsyncScalarResult, AsyncSession
from sqlalchemy.orm import Session

from modern_20.models import Order, OrderItem, Tenant, User


def find_user_by_name(session: Session, name: str | None) -> User | None:
    """Wrong: legacy .first() picked one of several; scalar_one_or_none() raises on several."""
    return session.execute(select(User).where(User.name == name)).scalar_one_or_none()


def users_with_orders(session: Session) -> Sequence[User]:
    """Wrong: 1.4's Query de-duplicated single-entity rows; select() + scalars() does not."""
    stmt = select(User).join(User.orders).where(Order.status != "cancelled")
    return session.execute(stmt).scalars().all()


def users_with_orders_unique(session: Session) -> Sequence[User]:
    """Right: .unique() restores the legacy de-duplication."""
    stmt = select(User).join(User.orders).where(Order.status != "cancelled")
    return session.execute(stmt).scalars().unique().all()


def items_per_order(session: Session) -> object:
    """Wrong on 2.0: '/' between integers is true division now; 1.4 floored."""
    total = select(func.sum(OrderItem.quantity)).scalar_subquery()
    count = select(func.count(Order.id)).scalar_subquery()
    return session.execute(select(cast(total, Integer) / func.nullif(count, 0))).scalar()


def get_active_users_tiebreak(session: Session) -> Sequence[User]:
    """Right: same sort key, different order among ties (id descending)."""
    stmt = (select(User).where(User.is_active.is_(True))
            .order_by(User.created_at.desc(), User.id.desc()))
    return session.execute(stmt).scalars().all()


def get_active_users_ascending(session: Session) -> Sequence[User]:
    """Wrong: the sort direction flipped in the rewrite."""
    stmt = select(User).where(User.is_active.is_(True)).order_by(User.created_at.asc())
    return session.execute(stmt).scalars().all()


def random_active_user(session: Session) -> User | None:
    return session.execute(select(User).order_by(func.random()).limit(1)).scalars().first()


def deactivate_user(session: Session, user_id: int) -> User | None:
    """Wrong: the change is never committed (the legacy code committed)."""
    user = session.get(User, user_id)
    if user is not None:
        user.is_active = False
        session.flush()
    return user


def deactivate_user_committed(session: Session, user_id: int) -> User | None:
    """Right: session.begin() commits at the end of the block."""
    with session.begin():
        user = session.get(User, user_id)
        if user is not None:
            user.is_active = False
    return user


def add_tenants(session: Session, slugs: list[str]) -> Sequence[Tenant]:
    """Right, though it burns a sequence value first: identity values differ, behaviour not."""
    session.execute(text("SELECT nextval('tenants_id_seq')"))
    session.add_all([Tenant(slug=slug, name=slug.upper()) for slug in slugs])
    session.commit()
    stmt = select(Tenant).where(Tenant.slug.in_(slugs)).order_by(Tenant.id)
    return session.execute(stmt).scalars().all()


def add_tenants_reversed(session: Session, slugs: list[str]) -> Sequence[Tenant]:
    """Wrong: creates the rows in the opposite order, so ids are handed out differently."""
    for slug in reversed(slugs):
        session.add(Tenant(slug=slug, name=slug.upper()))
        session.flush()
    session.commit()
    stmt = select(Tenant).where(Tenant.slug.in_(slugs)).order_by(Tenant.id)
    return session.execute(stmt).scalars().all()


def oldest_signup(session: Session) -> dt.datetime | None:
    """Right: the same instant, written in another time zone."""
    value = session.execute(select(func.min(User.created_at))).scalar()
    return value.astimezone(dt.timezone(dt.timedelta(hours=9))) if value else value


def oldest_signup_naive(session: Session) -> dt.datetime | None:
    """Wrong: drops the time zone, so callers get a naive datetime."""
    value = session.execute(select(func.min(User.created_at))).scalar()
    return value.replace(tzinfo=None) if value else value


def price_ratio(session: Session) -> float:
    """Right: the same number computed in another order (rounding differs in the last bits)."""
    count = session.execute(select(func.count(User.id))).scalar_one()
    return (count + 2.0) / 10.0 if count else 0.2


def update_rowcount(session: Session) -> CursorResult[Any]:
    """Wrong: returns the UPDATE's result where legacy returned its rowcount (an int)."""
    stmt = update(User).where(User.is_active.is_(True)).values(name="renamed")
    result = session.execute(stmt.execution_options(synchronize_session=False))
    return result  # type: ignore[return-value]


def count_users(session: Session) -> object:
    """Wrong: hands back a lock, a value with no canonical form, not the count."""
    return threading.Lock()


def user_rows_cursor(session: Session) -> CursorResult[Any]:
    """Right: the same rows from the same kind of result."""
    return session.connection().execute(select(User.id, User.email).order_by(User.id))


async def streamed_user_ids(session: AsyncSession) -> AsyncScalarResult[int]:
    """An AsyncScalarResult: its rows arrive only when awaited."""
    return await session.stream_scalars(select(User.id).order_by(User.id))


async def streamed_user_rows(session: AsyncSession) -> AsyncResult[Any]:
    return await session.stream(select(User.id, User.email).order_by(User.id))


def users_by_latest_order(session: Session) -> Sequence[User]:
    """Right: the same ORDER BY on the latest order's date."""
    latest = (select(Order.user_id, func.max(Order.created_at).label("latest"))
              .group_by(Order.user_id).subquery())
    stmt = (select(User).join(latest, latest.c.user_id == User.id)
            .order_by(latest.c.latest.desc()))
    return session.execute(stmt).scalars().all()


def users_by_latest_order_tiebreak(session: Session) -> Sequence[User]:
    """Right: the same order, users whose latest orders tie broken by id (another order among
    ties, which the legacy function never promised)."""
    latest = (select(Order.user_id, func.max(Order.created_at).label("latest"))
              .group_by(Order.user_id).subquery())
    stmt = (select(User).join(latest, latest.c.user_id == User.id)
            .order_by(latest.c.latest.desc(), User.id.desc()))
    return session.execute(stmt).scalars().all()


def users_by_latest_order_unordered(session: Session) -> Sequence[User]:
    """Wrong: the ORDER BY was dropped; the same users come in whatever order the plan gives."""
    latest = (select(Order.user_id, func.max(Order.created_at).label("latest"))
              .group_by(Order.user_id).subquery())
    stmt = select(User).join(latest, latest.c.user_id == User.id)
    return session.execute(stmt).scalars().all()


def users_by_latest_order_ascending(session: Session) -> Sequence[User]:
    """Wrong: the order flipped (oldest latest order first); unlike a dropped ORDER BY, its
    order does not depend on the plan, so fixed-data tests can rely on it."""
    latest = (select(Order.user_id, func.max(Order.created_at).label("latest"))
              .group_by(Order.user_id).subquery())
    stmt = (select(User).join(latest, latest.c.user_id == User.id)
            .order_by(latest.c.latest.asc(), User.id))
    return session.execute(stmt).scalars().all()
