"""Datasets derived from a database's own catalog, for any schema (no hand-written generators).

Driver side only (psycopg2, Hypothesis, standard library; never SQLAlchemy):

- `catalog.read_catalog(conn) -> Catalog`: tables in FK-safe insert order, columns, keys,
  unique constraints, foreign keys and CHECK constraints, read with plain SQL over pg_catalog.
- `derive.datasets(catalog, hints=..., rich=...)`: a Hypothesis strategy for whole
  FK-consistent datasets (`dict[table, list[row]]`) that respect what the catalog says.
- `reset.reset_script`, `reset.snapshot`, `reset.refused_rows`: put a database
  into a dataset's state in one round trip, read it back in key order, and drop (and report)
  the rows the database refuses for a constraint the strategy could not read.
"""

from equivalence_tests.domain.dataset import Dataset
from equivalence_tests.schema.catalog import (
    Catalog,
    Check,
    Column,
    Condition,
    ForeignKey,
    Sequence,
    Table,
    Unique,
    read_catalog,
)
from equivalence_tests.schema.derive import Between, datasets
from equivalence_tests.schema.reset import (
    Refusal,
    RefusalTally,
    refused_rows,
    reset_script,
    snapshot,
)

__all__ = [
    "Between",
    "Catalog",
    "Check",
    "Column",
    "Condition",
    "Dataset",
    "ForeignKey",
    "Refusal",
    "RefusalTally",
    "Sequence",
    "Table",
    "Unique",
    "datasets",
    "read_catalog",
    "refused_rows",
    "reset_script",
    "snapshot",
]
