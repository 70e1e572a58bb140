"""Invoice reads in 1.4 style: Query over one or two entities, rows keyed by entity name."""

from legacy_14.models import Invoice, User


def get_user_invoices(session, user_id, limit=50):
    """1.4: Query.order_by().limit().all(), newest first."""
    return (
        session.query(Invoice)
        .filter(Invoice.user_id == user_id)
        .order_by(Invoice.issued_at.desc())
        .limit(limit)
        .all()
    )


def get_invoice_with_user(session, invoice_id):
    """1.4: a two-entity Query; its row is read by entity name, None when nothing matched."""
    row = (
        session.query(Invoice, User)
        .join(User, Invoice.user_id == User.id)
        .filter(Invoice.id == invoice_id)
        .first()
    )
    if row is None:
        return None
    return row.Invoice, row.User
