"""Mechanical ports that keep a 1.x idiom whose meaning changed in 2.0. Registered as known
divergences so the workbench shows what they break; the migrated versions live elsewhere."""

from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from modern_20.models import Invoice, Order


def create_order_with_invoice(session: Session, user_id: int, amount: Decimal) -> Order:
    """1.x idiom kept: on 2.0 commit()/rollback() end the outer transaction, not the SAVEPOINT."""
    order = Order(user_id=user_id, amount=amount, status="pending")
    session.add(order)
    session.flush()
    session.begin_nested()
    try:
        session.add(Invoice(order_id=order.id, amount=amount))
        session.commit()
    except IntegrityError:
        session.rollback()
    return order
