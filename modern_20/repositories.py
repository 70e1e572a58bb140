"""Read repositories in 2.0 style: select(), Session.execute(), scalars(), scalar_one[_or_none]."""

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from modern_20.models import Order, Product, Tenant, User


def get_active_users(session: Session) -> Sequence[User]:
    stmt = select(User).where(User.is_active.is_(True)).order_by(User.created_at.desc())
    return session.execute(stmt).scalars().all()


def get_user_orders(session: Session, user_id: int) -> Sequence[Order]:
    stmt = select(Order).where(Order.user_id == user_id, Order.status != "cancelled")
    return session.execute(stmt).scalars().all()


def get_product_by_sku(session: Session, sku: str) -> Product | None:
    stmt = select(Product).where(Product.sku == sku)
    return session.execute(stmt).scalar_one_or_none()


def require_tenant(session: Session, slug: str) -> Tenant:
    stmt = select(Tenant).where(Tenant.slug == slug)
    return session.execute(stmt).scalar_one()


def count_pending_orders(session: Session, tenant_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(Order)
        .where(Order.tenant_id == tenant_id, Order.status == "pending")
    )
    return session.execute(stmt).scalar_one()
