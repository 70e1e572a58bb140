"""The guide's own "after" code, verbatim, where it does not behave like the 1.4 code it
replaces. Each is registered as a known divergence next to its corrected version. The
`type: ignore` comments mark what mypy --strict reports on the verbatim code."""

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from modern_20.models import Invoice, Order, Product, User


async def get_user_invoices(
    session: AsyncSession, user_id: int, limit: int = 50
) -> list[Invoice]:
    """Guide verbatim: on asyncpg LIMIT -1 is no DataError, a user_id beyond int4 raises."""
    stmt = (
        select(Invoice)
        .where(Invoice.user_id == user_id)
        .order_by(Invoice.issued_at.desc())
        .limit(limit)
    )
    result = await session.execute(stmt)
    return result.scalars().all()  # type: ignore[return-value]  # a Sequence, not a list


async def get_invoice_with_user(
    session: AsyncSession, invoice_id: int
) -> tuple[Invoice, User] | None:
    """Guide verbatim: on asyncpg an invoice_id beyond int4 raises instead of giving None."""
    stmt = (
        select(Invoice, User)
        .join(User, Invoice.user_id == User.id)
        .where(Invoice.id == invoice_id)
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        return None
    return row.Invoice, row.User


async def get_user_with_orders(
    session: AsyncSession, user_id: int
) -> User | None:
    """Guide verbatim: on asyncpg a user_id beyond int4 raises instead of giving None."""
    stmt = (
        select(User)
        .where(User.id == user_id)
        .options(selectinload(User.orders).selectinload(Order.items))
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_order_with_product(
    session: AsyncSession, order_id: int
) -> Order | None:
    """Guide verbatim: on asyncpg an order_id beyond int4 raises instead of giving None."""
    stmt = (
        select(Order)
        .where(Order.id == order_id)
        .options(joinedload(Order.product))
    )
    # .unique() deduplicates rows produced by the JOIN
    return (await session.execute(stmt)).unique().scalar_one_or_none()


async def bulk_update_prices(
    session: AsyncSession,
    updates: list[dict],  # type: ignore[type-arg]  # [{"id": 1, "price": 9.99}, ...]
) -> int:
    """Guide verbatim: the ORM bulk UPDATE result is an IteratorResult without .rowcount."""
    result = await session.execute(update(Product), updates)
    return result.rowcount  # type: ignore[attr-defined,no-any-return]


async def bulk_update_prices_counted(
    session: AsyncSession,
    updates: list[dict],  # type: ignore[type-arg]
) -> int:
    """Guide with len(updates) for .rowcount: asyncpg silently skips unmatched keys in batches."""
    await session.execute(update(Product), updates)
    return len(updates)


async def bulk_insert_products(
    session: AsyncSession,
    products: list[dict],  # type: ignore[type-arg]
) -> None:
    """Guide verbatim: an empty list becomes INSERT INTO products DEFAULT VALUES."""
    # asyncpg translates this to a pipeline of prepared statements
    await session.execute(insert(Product), products)
