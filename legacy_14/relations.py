"""Reads that hand back related objects, in 1.4 style: sync code could rely on lazy loading."""

from sqlalchemy.orm import joinedload

from legacy_14.models import Order, User


def get_user_with_orders(session, user_id):
    """1.4: Query.get(); user.orders and order.items lazy-load on first access (sync only)."""
    return session.query(User).get(user_id)


def get_order_with_product(session, order_id):
    """1.4: joinedload on a many-to-one; Query de-duplicated entities by itself."""
    return (
        session.query(Order)
        .options(joinedload(Order.product))
        .filter(Order.id == order_id)
        .first()
    )


def count_orders_per_user(session, tenant_id):
    """1.4: each user's orders lazy-load on first access, one SELECT per user (an N+1)."""
    users = session.query(User).filter(User.tenant_id == tenant_id).order_by(User.id).all()
    return [(user.email, len(user.orders)) for user in users]
