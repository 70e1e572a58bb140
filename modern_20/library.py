"""The library service, migrated to SQLAlchemy 2.0."""

from datetime import datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("authors.id"))
    joined: Mapped[datetime]


class Book(Base):
    __tablename__ = "books"
    __table_args__ = (UniqueConstraint("author_id", "title"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("authors.id"))
    title: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(Enum("hardcover", "paperback", "ebook",
                                             name="book_format"))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    details: Mapped[Any | None] = mapped_column(JSONB)
    published: Mapped[datetime | None]


def books_by(session: Session, author_id: int) -> list[Book]:
    stmt = (select(Book).where(Book.author_id == author_id)
            .order_by(Book.published, Book.id))
    return list(session.scalars(stmt))


def count_published(session: Session) -> int:
    stmt = select(func.count()).select_from(Book).where(Book.status == "published")
    return session.execute(stmt).scalar_one()


def retire(session: Session, book_id: int) -> bool:
    with session.begin():
        book = session.get(Book, book_id)
        if book is None:
            return False
        book.status = "retired"
    return True
