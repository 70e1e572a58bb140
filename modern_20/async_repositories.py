"""The async side (AsyncSession on asyncpg, expire_on_commit=False), migrated and corrected.

Everything the caller touches is loaded before the coroutine returns: relationships eagerly,
never lazily. Two asyncpg differences from psycopg2 are undone here: its dialect maps SQLSTATE
class 22 (data exceptions) to a plain DBAPIError, not DataError (`_data_errors_as_data_error`),
and it binds an Integer parameter as int4, refusing a key beyond it that psycopg2 inlined and
simply matched no row with (`_key_equals`). Its executemany runs one statement per row and
reports no rowcount, so the bulk writes send what 1.4 sent through psycopg2 and check for
unmatched keys themselves.
"""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from itertools import groupby
from typing import Any

from sqlalchemy import ColumnElement, false, insert, select, text, update
from sqlalchemy.exc import DataError, DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from modern_20.models import Invoice, Order, Product, Tenant, User


@asynccontextmanager
async def _data_errors_as_data_error() -> AsyncIterator[None]:
    """Re-raise asyncpg's class-22 errors (bare DBAPIError) as DataError, as psycopg2 does."""
    try:
        yield
    except DBAPIError as error:
        orig, sqlstate = error.orig, str(getattr(error.orig, "sqlstate", ""))
        if type(error) is DBAPIError and orig is not None and sqlstate.startswith("22"):
            raise DataError(error.statement, error.params, orig) from error
        raise


def _key_equals(
    column: InstrumentedAttribute[int] | InstrumentedAttribute[int | None], key: int
) -> ColumnElement[bool]:
    """`column == key`, or FALSE for a key beyond int4 (no row has one; asyncpg cannot bind it)."""
    return column == key if -(2**31) <= key < 2**31 else false()


async def get_user_invoices(
    session: AsyncSession, user_id: int, limit: int = 50
) -> Sequence[Invoice]:
    """The guide's statement, awaited; a negative limit raises DataError as on psycopg2."""
    stmt = (
        select(Invoice)
        .where(_key_equals(Invoice.user_id, user_id))
        .order_by(Invoice.issued_at.desc())
        .limit(limit)
    )
    async with _data_errors_as_data_error():
        result = await session.execute(stmt)
    return result.scalars().all()


async def get_invoice_with_user(
    session: AsyncSession, invoice_id: int
) -> tuple[Invoice, User] | None:
    """The guide's two-entity select, awaited; Row read by entity name."""
    stmt = (
        select(Invoice, User)
        .join(User, Invoice.user_id == User.id)
        .where(_key_equals(Invoice.id, invoice_id))
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        return None
    return row.Invoice, row.User


async def get_user_with_orders(session: AsyncSession, user_id: int) -> User | None:
    """The guide's selectinload chain: orders and their items load before we return."""
    stmt = (
        select(User)
        .where(_key_equals(User.id, user_id))
        .options(selectinload(User.orders).selectinload(Order.items))
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_order_with_product(session: AsyncSession, order_id: int) -> Order | None:
    """The guide's joinedload + .unique(): the product arrives in the same query."""
    stmt = select(Order).where(_key_equals(Order.id, order_id)).options(joinedload(Order.product))
    return (await session.execute(stmt)).unique().scalar_one_or_none()


async def check_db_alive(session: AsyncSession) -> bool:
    """The guide's probe: text() is mandatory, a bare string would make it always False."""
    try:
        await session.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


async def get_tenant_legacy_path(session: AsyncSession, slug: str) -> Tenant | None:
    """The guide's run_sync bridge, typed: sync ORM code runs in a greenlet."""

    def _query(sync_session: Session) -> Tenant | None:
        stmt = select(Tenant).where(Tenant.slug == slug)
        return sync_session.execute(stmt).scalar_one_or_none()

    return await session.run_sync(_query)


async def bulk_insert_products(session: AsyncSession, products: list[dict[str, Any]]) -> None:
    """One multi-row INSERT per run of rows with the same non-NULL keys, as 1.4 sent them."""
    rows = [{key: value for key, value in row.items() if value is not None} for row in products]
    for _, batch in groupby(rows, key=sorted):  # no rows, no INSERT ... DEFAULT VALUES
        async with _data_errors_as_data_error():
            await session.execute(insert(Product).values(list(batch)))


async def bulk_update_prices(session: AsyncSession, updates: list[dict[str, Any]]) -> int:
    """Batch by batch, each checked for unmatched keys: asyncpg has no executemany rowcount."""
    to_set = [row for row in updates if row.keys() - {"id"}]  # SQLAlchemy skips the others
    for _, batch in groupby(to_set, key=sorted):  # the batches SQLAlchemy would send
        rows = list(batch)
        async with _data_errors_as_data_error():
            await session.execute(update(Product), rows)
        await _require_matched(session, [row["id"] for row in rows])
    return len(updates)


async def _require_matched(session: AsyncSession, ids: list[int]) -> None:
    """Raise StaleDataError as SQLAlchemy does on psycopg2 when a key matched no row."""
    found = set((await session.scalars(select(Product.id).where(Product.id.in_(ids)))).all())
    matched = sum(1 for key in ids if key in found)
    if matched != len(ids):
        raise StaleDataError(f"UPDATE statement on table 'products' expected to update "
                             f"{len(ids)} row(s); {matched} were matched.")
