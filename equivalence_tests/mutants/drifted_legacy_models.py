"""A legacy (1.4-style, Column) models module that drifted from shared_schema/schema.sql, on
purpose: the legacy side is compared with its database too.

- users.name        nullable=False; the table allows NULL
- users.created_at  DateTime() without time zone; the table has timestamptz
- products.sku      String(32); the table has varchar(64)
- products.name     index=True: an index the table does not have
- products.tenant_id  no ForeignKey; the table refers to tenants.id
- users.is_active, products.stock  not mapped (informational only)
"""

from sqlalchemy import Column, DateTime, ForeignKey, Integer, Numeric, String, func
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Tenant(Base):
    __tablename__ = "tenants"
    id = Column(Integer, primary_key=True)
    slug = Column(String(64), nullable=False, unique=True)
    name = Column(String(200), nullable=False)


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    tenant_id = Column(Integer, ForeignKey("tenants.id"))
    email = Column(String(255), nullable=False, unique=True)
    name = Column(String(200), nullable=False)
    created_at = Column(DateTime, nullable=False, server_default=func.now())


class Product(Base):
    __tablename__ = "products"
    id = Column(Integer, primary_key=True)
    tenant_id = Column(Integer, nullable=False)
    sku = Column(String(32), nullable=False, unique=True)
    name = Column(String(200), nullable=False, index=True)
    price = Column(Numeric(10, 2), nullable=False)
