"""The library service, as it runs today on SQLAlchemy 1.4."""

from sqlalchemy import Column, DateTime, Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Author(Base):
    __tablename__ = "authors"
    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False)
    mentor_id = Column(Integer, ForeignKey("authors.id"))
    joined = Column(DateTime, nullable=False)


class Book(Base):
    __tablename__ = "books"
    __table_args__ = (UniqueConstraint("author_id", "title"),)
    id = Column(Integer, primary_key=True)
    author_id = Column(Integer, ForeignKey("authors.id"))
    title = Column(String(200), nullable=False)
    format = Column(Enum("hardcover", "paperback", "ebook", name="book_format"), nullable=False)
    status = Column(String(10), nullable=False, default="draft")
    details = Column(JSONB)
    published = Column(DateTime)


def books_by(session, author_id):
    return (session.query(Book).filter(Book.author_id == author_id)
            .order_by(Book.published, Book.id).all())


def count_published(session):
    return session.query(Book).filter(Book.status == "published").count()


def retire(session, book_id):
    book = session.query(Book).get(book_id)
    if book is None:
        return False
    book.status = "retired"
    session.commit()
    return True
