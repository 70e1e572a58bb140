"""Bulk writes in 2.0 style (sync, psycopg2): session.execute(insert()/update(), rows)."""

from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from modern_20.models import Product


def bulk_insert_products(session: Session, products: list[dict[str, Any]]) -> None:
    """2.0: ORM bulk INSERT; an empty list is skipped (it would run INSERT ... DEFAULT VALUES)."""
    if products:
        session.execute(insert(Product), products)


def bulk_update_prices(session: Session, updates: list[dict[str, Any]]) -> int:
    """2.0: no .rowcount on this result; StaleDataError on unmatched keys makes it len(updates)."""
    session.execute(update(Product), updates)
    return len(updates)
