"""A background task the 1.x way: the guide's "double anti-pattern" (module-level Session,
Query.get). The session lives as long as the worker process, across every task invocation."""

from sqlalchemy.orm import Session

from legacy_14.database import engine
from legacy_14.models import Order

session = Session(engine)


def process_order(order_id):
    """1.4: shared module-level session; a missing order returns without commit or rollback."""
    order = session.query(Order).get(order_id)
    if order is None:
        return False
    order.status = "processing"
    session.commit()
    return True
