"""schema.sql mapped with other spellings of the same thing (Column style: runs on 1.4 and 2.x).
The drift check must report none of them as a difference:

- CURRENT_TIMESTAMP / text("now()") for the table's now(); "pending" for 'pending'::character
  varying; sa.true() for true
- postgresql.TIMESTAMP(timezone=True) and DateTime(timezone=True) for timestamptz, DECIMAL for
  numeric, Unicode(255) and VARCHAR(200) for varchar
- a unique index where the table has a unique constraint (users.email, tenants.slug)
- a unique constraint named as the table names it (invoices.order_id)
"""

import sqlalchemy as sa
from sqlalchemy import Column, ForeignKey, Index, Integer, String, Unicode, func, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Tenant(Base):
    __tablename__ = "tenants"
    id = Column(Integer, primary_key=True, autoincrement=True)
    slug = Column(String(64), nullable=False, unique=True, index=True)
    name = Column(sa.VARCHAR(200), nullable=False)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (Index("users_email_unique", "email", unique=True),)
    id = Column(Integer, primary_key=True)
    tenant_id = Column(sa.INTEGER, ForeignKey("tenants.id"))
    email = Column(Unicode(255), nullable=False)
    name = Column(sa.VARCHAR(200))
    is_active = Column(sa.Boolean, nullable=False, server_default=sa.true())
    created_at = Column(postgresql.TIMESTAMP(timezone=True), nullable=False,
                        server_default=text("CURRENT_TIMESTAMP"))


class Order(Base):
    __tablename__ = "orders"
    id = Column(Integer, primary_key=True)
    tenant_id = Column(Integer, ForeignKey("tenants.id"))
    user_id = Column(Integer, ForeignKey("users.id"), nullable=False)
    amount = Column(sa.DECIMAL(12, 2), nullable=False)
    status = Column(String(20), nullable=False, server_default="pending")
    created_at = Column(sa.DateTime(timezone=True), nullable=False, server_default=func.now())


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (sa.UniqueConstraint("order_id", name="invoices_order_id_key"),)
    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False)
    user_id = Column(Integer, ForeignKey("users.id"))
    amount = Column(sa.Numeric(12, 2), nullable=False)
    issued_at = Column(sa.DateTime(timezone=True), nullable=False, server_default=text("now()"))
