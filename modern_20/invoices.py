"""Invoice reads in 2.0 style (sync): select() of one or two entities, Row access by name."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from modern_20.models import Invoice, User


def get_user_invoices(session: Session, user_id: int, limit: int = 50) -> Sequence[Invoice]:
    """2.0: the guide's statement on a sync Session; scalars() unwraps one-entity rows."""
    stmt = (
        select(Invoice)
        .where(Invoice.user_id == user_id)
        .order_by(Invoice.issued_at.desc())
        .limit(limit)
    )
    return session.execute(stmt).scalars().all()


def get_invoice_with_user(session: Session, invoice_id: int) -> tuple[Invoice, User] | None:
    """2.0: two entities, no scalars(); the Row is read by entity name."""
    stmt = select(Invoice, User).join(User, Invoice.user_id == User.id).where(
        Invoice.id == invoice_id
    )
    row = session.execute(stmt).first()
    if row is None:
        return None
    return row.Invoice, row.User
