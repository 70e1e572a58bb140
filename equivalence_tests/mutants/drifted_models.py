"""A modern (2.0-style) models module that drifted from shared_schema/schema.sql, on purpose.

The drift check (shared_schema/drift.py) must name each of these, by table and column:

- users.name     `Mapped[str]` makes it NOT NULL; the table allows NULL
- users.email    String(100); the table has varchar(255)
- users.tenant_id  `index=True`: an index the table does not have
- orders.tenant_id  refers to users.id; the table's foreign key refers to tenants.id
- orders.status  server default 'new'; the table's default is 'pending'
- orders.created_at  `Mapped[datetime]` without DateTime(timezone=True): timestamp without
                 time zone; the table has timestamptz
- orders.product_id  mapped without its foreign key to products.id
- users.is_active  not mapped (informational only)
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Numeric, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Tenant(Base):
    __tablename__ = "tenants"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"), index=True)
    email: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    product_id: Mapped[int | None]
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    status: Mapped[str] = mapped_column(String(20), server_default="new")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
