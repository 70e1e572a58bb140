"""A background task the 2.0 way: one Session per task invocation, session.get()."""

from sqlalchemy.orm import Session

from modern_20.database import engine
from modern_20.models import Order


def process_order(order_id: int) -> bool:
    """2.0: the session is scoped to this invocation; session.begin() commits on exit."""
    with Session(engine) as session, session.begin():
        order = session.get(Order, order_id)
        if order is None:
            return False
        order.status = "processing"
    return True
