"""A service: a module (or package) name on both sides, and the schema its functions run on."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Service:
    """Modules of one service, the schema they share, where their sessions come from."""

    name: str
    modules: tuple[str, ...]  # module names under legacy_14/ and modern_20/ ("blog.posts")
    schema: Path | None = None  # a .sql file; None: the legacy models' DDL
    models: str | None = None  # the module whose metadata gives the DDL (legacy side)
    database: str = "database"  # the module (under each side) with engine and SessionLocal
    declared: bool = False  # named in pairs.py (its modules are not discovered on their own)
    # "table.column" -> values that replace what the schema alone would give (`hint()`)
    hints: dict[str, Any] = field(default_factory=dict, compare=False)

    def models_module(self, side: str) -> str:
        """Where `side`'s models are: the service's `models` module, or the module itself."""
        return side + (self.models or "legacy_14.models").removeprefix("legacy_14")

    @property
    def ddl_source(self) -> str:
        return str(self.schema.relative_to(ROOT)) if self.schema else f"DDL of {self.models}"


@dataclass(frozen=True)
class Unpaired:
    """A function that cannot be compared, and why (listed in the output, never skipped)."""

    service: str
    target: str
    reason: str
