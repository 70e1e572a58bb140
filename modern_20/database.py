"""Engines and session factories: one sync (psycopg2), one async (asyncpg), never shared."""

import os

from sqlalchemy import create_engine, make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, sessionmaker

DATABASE_URL = make_url(os.environ["DATABASE_URL"])

engine = create_engine(DATABASE_URL.set(drivername="postgresql+psycopg2"))
SessionLocal: sessionmaker[Session] = sessionmaker(engine)

async_engine = create_async_engine(DATABASE_URL.set(drivername="postgresql+asyncpg"))
AsyncSessionLocal: async_sessionmaker[AsyncSession] = async_sessionmaker(
    async_engine, expire_on_commit=False
)
