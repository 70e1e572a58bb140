"""Writes and transactions in 1.4 style: engine autocommit, Query.get + commit, commit() that
only releases a SAVEPOINT when begin_nested() is active."""

from sqlalchemy.exc import IntegrityError

from legacy_14.models import Invoice, Order, User


def set_order_status(engine, order_id, status):
    """1.4: engine.execute() on a string; autocommit sees the UPDATE and commits by itself."""
    result = engine.execute(
        "UPDATE orders SET status = %(status)s WHERE id = %(id)s", status=status, id=order_id
    )
    return result.rowcount


def change_user_email(session, user_id, email):
    """1.4: Query.get(pk), set the attribute, session.commit() (autobegun transaction)."""
    user = session.query(User).get(user_id)
    if user is None:
        return None
    user.email = email
    session.commit()
    return user


def create_order_with_invoice(session, user_id, amount):
    """1.4: commit()/rollback() after begin_nested() act on the SAVEPOINT only; caller commits."""
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
