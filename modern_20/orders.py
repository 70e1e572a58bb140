"""Writes and transactions in 2.0 style: explicit conn.commit(), session.begin() blocks,
begin_nested() as a context manager; the caller owns the outer transaction."""

from decimal import Decimal

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from modern_20.models import Invoice, Order, User


def set_order_status(engine: Engine, order_id: int, status: str) -> int:
    """2.0: no autocommit; text() on an explicit connection, then conn.commit()."""
    with engine.connect() as conn:
        result = conn.execute(
            text("UPDATE orders SET status = :status WHERE id = :id"),
            {"status": status, "id": order_id},
        )
        conn.commit()
    return result.rowcount


def change_user_email(session: Session, user_id: int, email: str) -> User | None:
    """2.0: session.get() inside session.begin(); the block commits, or rolls back on error."""
    with session.begin():
        user = session.get(User, user_id)
        if user is None:
            return None
        user.email = email
    return user


def create_order_with_invoice(session: Session, user_id: int, amount: Decimal) -> Order:
    """2.0: the guide's SAVEPOINT block; a failed invoice rolls back to it, the order stays."""
    order = Order(user_id=user_id, amount=amount, status="pending")
    session.add(order)
    session.flush()
    try:
        with session.begin_nested():
            session.add(Invoice(order_id=order.id, amount=amount))
    except Exception:
        pass  # order survives; the invoice did not
    return order
