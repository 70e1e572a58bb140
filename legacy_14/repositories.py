"""Read repositories in 1.4 style: session.query(), filter(), first(), one(), count()."""

from legacy_14.models import Order, Product, Tenant, User


def get_active_users(session):
    return (
        session.query(User)
        .filter(User.is_active == True)
        .order_by(User.created_at.desc())
        .all()
    )


def get_user_orders(session, user_id):
    return (
        session.query(Order)
        .filter(Order.user_id == user_id, Order.status != "cancelled")
        .all()
    )


def get_product_by_sku(session, sku):
    return session.query(Product).filter(Product.sku == sku).first()


def require_tenant(session, slug):
    return session.query(Tenant).filter(Tenant.slug == slug).one()


def count_pending_orders(session, tenant_id):
    return (
        session.query(Order)
        .filter(Order.tenant_id == tenant_id, Order.status == "pending")
        .count()
    )
