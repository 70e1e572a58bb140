"""A mechanical async port the guide warns against ("Lazy loading is the most common breakage
point"): kept registered so the workbench shows the MissingGreenlet it causes."""

from sqlalchemy.ext.asyncio import AsyncSession

from modern_20.models import User


async def get_user_with_orders(session: AsyncSession, user_id: int) -> User | None:
    """Query.get() ported as session.get(): user.orders is never loaded, only lazy-loadable."""
    return await session.get(User, user_id)
