"""A wrong migration of the README's `library` service (the walkthrough makes the same edit)."""

from sqlalchemy.orm import Session

from modern_20.library import Book


def retire(session: Session, book_id: int) -> bool:
    """Wrong: the change is flushed but never committed (the legacy code committed)."""
    book = session.get(Book, book_id)
    if book is None:
        return False
    book.status = "retired"
    session.flush()
    return True
