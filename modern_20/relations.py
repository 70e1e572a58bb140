"""Reads that hand back related objects, in 2.0 style (sync): eager loading stated up front."""

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from modern_20.models import Order, User


def get_user_with_orders(session: Session, user_id: int) -> User | None:
    """2.0: selectinload chain, so the same code also works under AsyncSession."""
    stmt = (
        select(User)
        .where(User.id == user_id)
        .options(selectinload(User.orders).selectinload(Order.items))
    )
    return session.execute(stmt).scalar_one_or_none()


def get_order_with_product(session: Session, order_id: int) -> Order | None:
    """2.0: joinedload needs .unique() on the result (required for joined collections)."""
    stmt = select(Order).where(Order.id == order_id).options(joinedload(Order.product))
    return session.execute(stmt).unique().scalar_one_or_none()


def count_orders_per_user(session: Session, tenant_id: int) -> list[tuple[str, int]]:
    """2.0: selectinload fetches every user's orders in one more SELECT, not one per user."""
    stmt = (
        select(User)
        .where(User.tenant_id == tenant_id)
        .order_by(User.id)
        .options(selectinload(User.orders))
    )
    users = session.scalars(stmt).all()
    return [(user.email, len(user.orders)) for user in users]
