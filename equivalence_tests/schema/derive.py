"""A Hypothesis strategy for whole FK-consistent datasets, derived from a `Catalog` alone.

Keeps what makes the hand-written strategies of `equivalence_tests.strategies` find bugs, for
any schema: NULLs, boundary values, unicode, tied timestamps and tied sort keys (each ordered
column draws from a small pool most of the time), small pools for key columns so that unique
constraints bite and keys collide, gaps in keys. Flat and fast: a column's values are a
weighted list of options (`Options`) and a row is one draw of bytes, a byte per column picking
its option (Hypothesis shrinks each byte toward the first option); only an option that stands
for a free draw (`Free`: any text, any integer of a range) draws more. Drawing a value per
column instead cost 2-3 times as much (`python -m equivalence_tests.dataset_cost`). Foreign keys
are bytes too, an index into the parent's rows resolved after the draw (so Hypothesis can
delete parents when shrinking), duplicates of a unique key dropped there too.

A row is a dict of column values as psycopg2 adapts them; a column left to its default is
absent from the row. Columns referenced by a deferred (cycle-breaking) foreign key hold their
final values: `reset.reset_script` inserts them NULL and sets them afterwards.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Sequence as SequenceABC
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from typing import Literal as TypingLiteral

from hypothesis import strategies as st
from psycopg2.extras import Json

from equivalence_tests.domain.dataset import Dataset
from equivalence_tests.schema.catalog import Catalog, Column, ForeignKey, Table
from equivalence_tests.schema.checks import Condition, Literal

__all__ = ["DEFAULT", "Between", "Dataset", "Hint", "datasets"]

Literal32or64 = TypingLiteral[32, 64]


@dataclass(frozen=True)
class Between:
    """A hint: values of the column from `low` to `high`, both included."""

    low: Any
    high: Any


# A hint per "table.column": a strategy (used as is: say NULL yourself), a pool of values
# (a list, tuple or set), a `range` of ints, or `Between(low, high)`. Pools and ranges are
# combined with what the catalog says (NULL where allowed, the CHECKs it could read).
Hint = st.SearchStrategy[Any] | SequenceABC[Any] | set[Any] | frozenset[Any] | range | Between


class _Default:
    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT: Any = _Default()  # drawn for a column left to its default; never in a dataset

UTC = dt.UTC
ZONES = [UTC, dt.timezone(dt.timedelta(hours=5, minutes=30)), dt.timezone(dt.timedelta(hours=-8))]
EPOCH = dt.datetime(1970, 1, 1)
US_PER_DAY = 86_400 * 10**6
# Where unbounded dates and timestamps are drawn from (PostgreSQL takes more, Python less).
# A day inside Python's range, so that any instant can be shown in any of ZONES.
FIRST, LAST = dt.datetime(1, 1, 2), dt.datetime(9999, 12, 30, 23, 59, 59, 999999)
USUAL_FIRST, USUAL_LAST = dt.datetime(1900, 1, 1), dt.datetime(2100, 1, 1)
# Tie pools, as in strategies.py: a few fixed instants, one of them most of the time, so that
# rows tie on a timestamp in most datasets with two rows or more (sort keys with ties).
INSTANTS = [dt.datetime(2024, 1, 1)] * 4 + [dt.datetime(2024, 1, 1, 0, 0, 0, 1),
            dt.datetime(2000, 2, 29, 12), dt.datetime(1970, 1, 1)]
TIMES = [dt.time(0), dt.time(12), dt.time(23, 59, 59, 999999), dt.time(12, 0, 0, 1)]
INTERVALS = [dt.timedelta(0), dt.timedelta(days=1), dt.timedelta(microseconds=1),
             dt.timedelta(days=-1, hours=1)]
WORDS = ["a", "b", "é", "ab", "a-b", "ba", "ÿ b", "B"]
UUIDS = [uuid.UUID(int=n) for n in (1, 2, 3, 2**128 - 1)] + [
    uuid.UUID("00000000-0000-4000-8000-000000000000")]
TEXT = st.characters(codec="utf-8", exclude_characters="\x00")
MAX_TEXT = 6
INT_BITS = {"int2": 16, "int4": 32, "int8": 64, "oid": 32}
TEXT_TYPES = {"varchar", "text", "bpchar", "citext", "name"}
KEY_SPAN = 40  # integer keys come from a window of this many values: gaps, and collisions
FK_INDEX: tuple[int, ...] = tuple(range(9))  # which parent row (0 is NULL where allowed)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53)
    | st.floats(-1e6, 1e6, allow_nan=False) | st.text(TEXT, max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(TEXT, max_size=3),
                                                                inner, max_size=3),
    max_leaves=4,
)


@dataclass(frozen=True, eq=False)
class Free:
    """An option that draws its value: any text, any integer of a range, a hint's strategy."""

    strategy: st.SearchStrategy[Any]


# A column's values: each option equally likely (repeat one to weigh it more); the first is
# where shrinking goes. At most 256: one byte picks an option.
Options = tuple[Any, ...]
BYTE = 256


def mix(*parts: tuple[int, Options]) -> Options:
    """Options drawn from each part with the part's weight (relative), in the parts' order."""
    parts = tuple((weight, options) for weight, options in parts if options)
    total = sum(weight for weight, _ in parts)
    shares = [(option, weight / total * run / len(options))
              for weight, options in parts for option, run in _runs(options)]
    if len(shares) > BYTE:  # a long pool (a big enum, a CHECK IN list): drawn on its own
        return (Free(strategy_of(tuple(option for option, _ in shares))),)
    room = BYTE - len(shares)  # every option keeps one entry; the rest go by weight
    return tuple(option for option, share in shares
                 for _ in range(1 + int(share * room)))


def _runs(options: Options) -> list[tuple[Any, int]]:
    """Each option with how many times it is repeated where it stands (its weight)."""
    runs: list[list[Any]] = []
    for option in options:
        if runs and runs[-1][0] is option:
            runs[-1][1] += 1
        else:
            runs.append([option, 1])
    return [(option, count) for option, count in runs]


def pick(options: Options, byte: int) -> Any:
    """The option a byte picks: byte 0 the first, bigger bytes later ones, evenly."""
    return options[byte * len(options) // BYTE]


def strategy_of(options: Options) -> st.SearchStrategy[Any]:
    """One column's values as a strategy of their own (arguments, array elements, tests)."""
    if not any(isinstance(option, Free) for option in options):
        return st.sampled_from(options)
    return st.sampled_from(options).flatmap(
        lambda option: option.strategy if isinstance(option, Free) else st.just(option))


def _filter(options: Options, keep: Callable[[Any], bool]) -> Options:
    """The options that pass `keep`; free draws are filtered as they are drawn."""
    kept = tuple(Free(o.strategy.filter(keep)) if isinstance(o, Free) else o
                 for o in options if isinstance(o, Free) or keep(o))
    return kept or options


def _map(options: Options, convert: Callable[[Any], Any]) -> Options:
    return tuple(Free(o.strategy.map(convert)) if isinstance(o, Free) else convert(o)
                 for o in options)


def datasets(catalog: Catalog, *, hints: Mapping[str, Hint] | None = None,
             rich: Iterable[str] = (), max_rows: int = 4) -> st.SearchStrategy[Dataset]:
    """Datasets for every table of `catalog` that the database accepts in one reset, as far as
    the catalog can tell (CHECKs of a form not understood are left to `reset.load`).

    `hints` override single columns ("table.column": see `Hint`). With `rich`, half of the
    datasets have rows in those tables and in the parents those rows need (NOT NULL keys).
    """
    hints = dict(hints or {})
    names = set(catalog.names)
    for key in hints:
        table_name, _, column_name = key.partition(".")
        if table_name not in names or column_name not in {
                c.name for c in catalog.table(table_name).columns}:
            raise ValueError(f"hint for unknown column {key!r}")
    plans = [_plan(catalog, table, hints) for table in catalog.tables]
    plain = _strategy(plans, set(), max_rows)
    rich = tuple(rich)
    if not rich:
        return plain
    unknown = set(rich) - names
    if unknown:
        raise ValueError(f"rich names unknown tables: {sorted(unknown)}")
    return plain | _strategy(plans, with_parents(catalog, rich), max_rows)


def with_parents(catalog: Catalog, tables: Iterable[str]) -> set[str]:
    """The tables, and every table a row of theirs cannot exist without (NOT NULL keys)."""
    needed = set(tables)
    for table in reversed(catalog.tables):  # children before parents: one pass reaches the top
        if table.name in needed:
            needed.update(fk.ref_table for fk in table.foreign_keys if not fk.nullable)
    return needed


@dataclass
class _Plan:
    table: Table
    names: list[str]  # columns drawn as values, in draw order
    values: list[Options]
    fks: list[ForeignKey]  # each drawn as one index into its parent's rows
    keys: list[tuple[tuple[str, ...], bool]] = field(default_factory=list)  # unique, nulls dist.


def _strategy(plans: list[_Plan], needed: set[str], max_rows: int,
              ) -> st.SearchStrategy[Dataset]:
    tables = [_table(plan, int(plan.table.name in needed),
                     max(max_rows, int(plan.table.name in needed))) for plan in plans]
    return st.tuples(*tables).map(lambda raw: resolve(plans, raw))


# An echo byte at or above this copies a text value from an earlier row: one in four.
ECHO = 192


def _counts(low: int, high: int) -> st.SearchStrategy[int]:
    """How many rows a table gets: two or more three times in four (st.lists leaves a third
    of tables empty, and namesakes, ties and a parent's second child need two rows), shrinking
    towards `low`."""
    small = list(range(low, min(2, high) + 1))
    return st.sampled_from(small + [n for n in range(max(low, 2), high + 1) for _ in (0, 1)])


def _table(plan: _Plan, low: int, high: int) -> st.SearchStrategy[list[tuple[Any, ...]]]:
    """A table's rows. Each row: its values, then its foreign-key indexes; a byte each, free
    draws after. The key columns (primary key, unique) are one draw and the rest another. From
    the second row on, each text column outside the keys copies an earlier row's value one
    time in four (an echo byte each; shrinking goes to no copy): a lookup by name must meet
    namesakes, and independent draws line them up in about one small table in ten. Ties and
    shared parents come often enough from small windows and index draws; echoing them too
    halved how often two users' latest orders differ, which an ORDER BY needs."""
    columns = [*plan.values, *[FK_INDEX] * len(plan.fks)]
    keyed = {c for columns_, _ in plan.keys for c in columns_}
    parts = [[i for i, name in enumerate(plan.names) if name in keyed]]
    parts.append([i for i in range(len(columns)) if i not in parts[0]])
    blobs = [(part, st.binary(min_size=len(part), max_size=len(part))) for part in parts if part]
    texts = [i for i in parts[1] if i < len(plan.names)
             and plan.table.column(plan.names[i]).type in TEXT_TYPES]
    echoes = st.binary(min_size=len(texts), max_size=len(texts))

    @st.composite
    def rows(draw: st.DrawFn) -> list[tuple[Any, ...]]:
        drawn: list[tuple[Any, ...]] = []
        for _ in range(draw(_counts(low, high))):
            values: list[Any] = [None] * len(columns)
            for part, blob in blobs:
                for i, byte in zip(part, draw(blob), strict=True):
                    values[i] = pick(columns[i], byte)
            row = [draw(v.strategy) if isinstance(v, Free) else v for v in values]
            if drawn and texts:
                for i, byte in zip(texts, draw(echoes), strict=True):
                    if byte >= ECHO:
                        row[i] = drawn[(byte - ECHO) % len(drawn)][i]
            drawn.append(tuple(row))
        return drawn

    return rows()


def resolve(plans: list[_Plan], raw: tuple[list[tuple[Any, ...]], ...]) -> Dataset:
    """Foreign-key indexes into key values of rows that exist (dropping a row whose required
    parent has none), and the first row for each value of a unique key."""
    dataset: Dataset = {}
    later: list[tuple[_Plan, dict[str, Any], ForeignKey, int]] = []
    for plan, rows in zip(plans, raw, strict=True):
        accepted: list[dict[str, Any]] = []
        dataset[plan.table.name] = accepted
        seen: list[set[tuple[Any, ...]]] = [set() for _ in plan.keys]
        width = len(plan.names)
        for drawn in rows:
            row = {name: value for name, value in zip(plan.names, drawn, strict=False)
                   if value is not DEFAULT}
            fixed: set[str] = set()
            ok = True
            for fk, index in zip(plan.fks, drawn[width:], strict=True):
                if fk.deferred:
                    for column in fk.columns:
                        row.setdefault(column, None)
                    if plan.table.primary_key:  # else no UPDATE could find the row
                        later.append((plan, row, fk, index))
                    continue
                parents = dataset[fk.ref_table]
                if fk.ref_table == plan.table.name:
                    parents = [*parents, row]
                ok = _point(row, fk, index, parents, fixed)
                if not ok:
                    break
            if ok and _first_of_its_keys(plan, row, seen):
                accepted.append(row)
    for plan, row, fk, index in later:
        saved = {column: row.get(column) for column in fk.columns}
        if not _point(row, fk, index, dataset[fk.ref_table], set()) or not _unique_after(
                plan, row, dataset[plan.table.name]):
            row.update({column: None for column in fk.columns} if fk.nullable else saved)
    return dataset


def _point(row: dict[str, Any], fk: ForeignKey, index: int, parents: list[dict[str, Any]],
           fixed: set[str]) -> bool:
    """Set `fk`'s columns of `row` from the parent chosen by `index` (0 is NULL if allowed),
    keeping columns an earlier key of the row already set; False if the row cannot be kept."""
    pairs = list(zip(fk.columns, fk.ref_columns, strict=True))
    candidates = [
        parent for parent in parents
        if all(parent.get(ref) is not None for _, ref in pairs)
        and all(parent.get(ref) == row.get(column) for column, ref in pairs if column in fixed)
    ]
    if fk.nullable and (index == 0 or not candidates):
        free = [column for column, _ in pairs if column not in fixed]
        if not free and all(row.get(column) is not None for column, _ in pairs):
            return False
        row.update({column: None for column in free})
        fixed.update(free)
        return True
    if not candidates:
        return False
    parent = candidates[(index - fk.nullable) % len(candidates)]
    for column, ref in pairs:
        row[column] = parent[ref]
    fixed.update(fk.columns)
    return True


def _first_of_its_keys(plan: _Plan, row: dict[str, Any], seen: list[set[tuple[Any, ...]]],
                       ) -> bool:
    values: list[tuple[Any, ...] | None] = []
    for (columns, nulls_distinct), taken in zip(plan.keys, seen, strict=True):
        if any(column not in row for column in columns):
            values.append(None)  # a default fills it: the database decides
            continue
        value = tuple(_hashable(row[column]) for column in columns)
        if nulls_distinct and None in value:
            values.append(None)
            continue
        if value in taken:
            return False
        values.append(value)
    for found, taken in zip(values, seen, strict=True):
        if found is not None:
            taken.add(found)
    return True


def _unique_after(plan: _Plan, row: dict[str, Any], rows: list[dict[str, Any]]) -> bool:
    """Is `row` still alone on each unique key, now that a deferred key is set?"""
    for columns, nulls_distinct in plan.keys:
        value = tuple(_hashable(row.get(column)) for column in columns)
        if nulls_distinct and None in value:
            continue
        if any(other is not row and tuple(_hashable(other.get(c)) for c in columns) == value
               for other in rows):
            return False
    return True


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(item) for item in value)
    if isinstance(value, Json):
        return repr(value.adapted)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    return value


def _plan(catalog: Catalog, table: Table, hints: Mapping[str, Hint]) -> _Plan:
    fk_columns = {column for fk in table.foreign_keys for column in fk.columns}
    referenced = {(fk.ref_table, column) for other in catalog.tables
                  for fk in other.foreign_keys for column in fk.ref_columns}
    keys: list[tuple[tuple[str, ...], bool]] = []
    if table.primary_key:
        keys.append((table.primary_key, True))
    keys += [(u.columns, u.nulls_distinct) for u in table.unique]
    key_columns = {c for columns, _ in keys for c in columns}
    conditions: dict[str, list[Condition]] = {}
    for check in table.checks:
        for condition in check.conditions or ():
            conditions.setdefault(condition.column, []).append(condition)
    names, values = [], []
    for column in table.columns:
        if column.generated or column.name in fk_columns:
            continue
        is_key = column.name in key_columns or (table.name, column.name) in referenced
        names.append(column.name)
        values.append(column_options(
            column, conditions.get(column.name, []), key=is_key,
            hint=hints.get(f"{table.name}.{column.name}"),
            may_default=not is_key and column.sequence is None and constant(column.default),
            where=f"{table.name}.{column.name}"))
    return _Plan(table, names, values, list(table.foreign_keys), keys)


_CONSTANT = re.compile(r"(?i)\s*(NULL|true|false|-?\d+(\.\d+)?|'(?:[^']|'')*')"
                       r"(::[\w .\[\]()\"]+)*\s*")


def constant(default: str | None) -> bool:
    """Whether a default is a constant: only then may a row be left to it, since both sides'
    databases are reset separately and `now()`, `random()` or `gen_random_uuid()` would give
    each of them (and each rerun) another value."""
    return default is None or bool(_CONSTANT.fullmatch(default))


def column_values(column: Column, conditions: Iterable[Condition] = (), *, key: bool = False,
                  hint: Hint | None = None, may_default: bool = True, where: str = "",
                  ) -> st.SearchStrategy[Any]:
    """Values of one column, as a strategy of their own (see `column_options`)."""
    return strategy_of(column_options(column, conditions, key=key, hint=hint,
                                      may_default=may_default, where=where))


def column_options(column: Column, conditions: Iterable[Condition] = (), *, key: bool = False,
                   hint: Hint | None = None, may_default: bool = True, where: str = "",
                   ) -> Options:
    """Values of one column: NULL where allowed, its default now and then (when it has one and
    may be left to it), else values of its type within the CHECK conditions it can read."""
    conditions = list(conditions)
    if isinstance(hint, st.SearchStrategy):
        return (Free(hint),)
    if isinstance(hint, Between):
        conditions += [Condition(column.name, ">=", (hint.low,)),
                       Condition(column.name, "<=", (hint.high,))]
    elif isinstance(hint, range):
        conditions += [Condition(column.name, ">=", (hint.start,)),
                       Condition(column.name, "<=", (hint.stop - 1,))]
    elif hint is not None:
        conditions.append(Condition(column.name, "in", tuple(hint)))
    nullable = column.nullable and not any(c.op == "not null" for c in conditions)
    base = _values(column, conditions, key)
    if base is None:
        if nullable:
            return (None,)
        if column.default is not None:
            return (DEFAULT,)
        raise ValueError(f"{where or column.name}: no generator for type {column.sql_type}; "
                         "give it a hint (a strategy or a pool of values)")
    if column.default is not None and may_default and column.identity != "always":
        base = mix((5, base), (1, (DEFAULT,)))
    return mix((1, (None,)), (3, base)) if nullable else base


def _values(column: Column, conditions: list[Condition], key: bool) -> Options | None:
    if column.array:
        element = _scalar(column, [], key=False)
        if element is None:
            return None
        return (Free(st.lists(st.none() | strategy_of(element), max_size=3)),)
    return _scalar(column, conditions, key)


def _scalar(column: Column, conditions: list[Condition], key: bool) -> Options | None:
    kind = column.type
    if column.enum_labels:
        return _pick(list(column.enum_labels), conditions, str)
    if kind == "bool":
        return _pick([False, True], conditions, _to_bool)
    if kind in TEXT_TYPES:
        return _text(column, conditions, key)
    if kind in ("json", "jsonb"):
        return _map(mix((1, ({}, [], None, "", 0)), (1, (Free(JSON),))), Json)
    if kind == "bytea":
        return mix((1, (b"", b"\x00", b"\xff")), (1, (Free(st.binary(max_size=6)),)))
    if kind == "uuid":
        pool = tuple(UUIDS)
        return _filtered(pool if key else mix((1, pool), (1, (Free(st.uuids()),))),
                         conditions, uuid.UUID)
    if kind in ("float4", "float8"):
        return _floats(column, conditions)
    ordered = _ORDERED.get(kind)
    if ordered is None:
        return None
    return ordered(column).options(conditions, key)


def _pick(values: list[Any], conditions: list[Condition], convert: Callable[[Any], Any],
          ) -> Options:
    allowed = [v for v in values if _meets(v, conditions, convert)]
    return tuple(allowed or values)


def _meets(value: Any, conditions: list[Condition], convert: Callable[[Any], Any]) -> bool:
    """Does `value` satisfy every readable condition (unconvertible literals are ignored)?"""
    for condition in conditions:
        if condition.op == "not null" or condition.length:
            continue
        try:
            literals = [convert(v) for v in condition.values if v is not None]
        except (ValueError, TypeError, ArithmeticError):
            continue
        try:
            if condition.op == "in" and value not in literals:
                return False
            if condition.op == "not in" and value in literals:
                return False
            if condition.op in _COMPARE and literals and not _COMPARE[condition.op](
                    value, literals[0]):
                return False
        except TypeError:
            continue
    return True


def _filtered(options: Options, conditions: list[Condition],
              convert: Callable[[Any], Any]) -> Options:
    relevant = [c for c in conditions if c.op != "not null" and not c.length]
    if not relevant:
        return options
    pool = [v for c in relevant if c.op in ("in", "=") for v in _converted(c.values, convert)]
    if pool:
        return _pick(pool, relevant, convert)
    return _filter(options, lambda v: _meets(v, relevant, convert))


def _converted(values: Iterable[Literal], convert: Callable[[Any], Any]) -> list[Any]:
    out = []
    for value in values:
        try:
            out.append(convert(value))
        except (ValueError, TypeError, ArithmeticError):
            continue
    return out


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b, "<>": lambda a, b: a != b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("t", "true", "1", "yes", "on", "y"):
        return True
    if text in ("f", "false", "0", "no", "off", "n"):
        return False
    raise ValueError(value)


def _text(column: Column, conditions: list[Condition], key: bool) -> Options:
    """Short unicode strings within the declared and CHECKed lengths; keys from a small pool."""
    low, high = 0, column.length if column.length is not None else math.inf
    if column.type == "bpchar":
        low = high = column.length or 1
    for condition in conditions:
        if not condition.length or not condition.values:
            continue
        try:
            n = int(Decimal(str(condition.values[0])))
        except (InvalidOperation, ValueError):
            continue
        if condition.op in (">=", "="):
            low = max(low, n)
        if condition.op == ">":
            low = max(low, n + 1)
        if condition.op in ("<=", "="):
            high = min(high, n)
        if condition.op == "<":
            high = min(high, n - 1)
    if low > high:  # contradictory: let the database sort it out
        low, high = 0, column.length if column.length is not None else math.inf
    fitted = sorted({(w + "x" * low)[: max(low, len(w))][: int(min(high, 10**6))]
                     for w in WORDS}, key=lambda w: (len(w), w))
    rest = [c for c in conditions if not c.length]
    pool = tuple(fitted)
    if key:
        return _filtered(pool, rest, str)
    longest = int(min(high, max(low, MAX_TEXT)))
    text = Free(st.text(TEXT, min_size=low, max_size=longest))
    # The pool three times in four: equal values in different rows (namesakes) are common.
    return _filtered(mix((3, pool), (1, (text,))), rest, str)


def _floats(column: Column, conditions: list[Condition]) -> Options:
    low, high, open_low, open_high = -math.inf, math.inf, False, False
    for condition in conditions:
        if condition.length or condition.op not in (">", ">=", "<", "<=") or not condition.values:
            continue
        try:
            bound = float(Decimal(str(condition.values[0])))
        except (InvalidOperation, ValueError):
            continue
        if condition.op in (">", ">=") and bound >= low:
            low, open_low = bound, condition.op == ">"
        if condition.op in ("<", "<=") and bound <= high:
            high, open_high = bound, condition.op == "<"
    width: Literal32or64 = 32 if column.type == "float4" else 64
    if low > high:
        low, high, open_low, open_high = -math.inf, math.inf, False, False
    finite_low = None if low == -math.inf else low
    finite_high = None if high == math.inf else high
    floats = st.floats(finite_low, finite_high, allow_nan=False, width=width,
                       allow_infinity=finite_low is None or finite_high is None,
                       exclude_min=open_low and finite_low is not None,
                       exclude_max=open_high and finite_high is not None)
    specials = [v for v in (0.0, -0.0, 1.0, -1.0, 0.5, math.inf, -math.inf)
                if (low < v < high) or (v == low and not open_low) or (v == high and not open_high)]
    options = mix((1, tuple(specials)), (1, (Free(floats),)))
    return _filtered(options, [c for c in conditions if c.op not in (">", ">=", "<", "<=")],
                     float)


@dataclass
class _Ordered:
    """A type whose values map onto integers ("units"), so bounds, pools and ties are easy."""

    low: int
    high: int
    to_units: Callable[[Any], int]  # a CHECK literal (or hint value) to units
    from_units: Callable[[int], Any]
    pool: list[int]  # boundary values and tie makers, in units
    usual: tuple[int, int] | None = None  # where unbounded draws fall
    step: int = 1  # units between representable values (time precision)
    zoned: bool = False  # timestamptz: shown in one of ZONES
    tie_weight: int = 1  # the pool is drawn tie_weight times as often as the whole range

    def options(self, conditions: list[Condition], key: bool) -> Options:
        low, high = self.low, self.high
        excluded: list[int] = []
        chosen: list[int] | None = None
        bounded_low = bounded_high = False
        for condition in conditions:
            if condition.length or condition.op == "not null":
                continue
            try:
                units = [self.to_units(v) for v in condition.values if v is not None]
            except (ValueError, TypeError, ArithmeticError):
                continue
            op = condition.op
            if op in ("in", "=") and units:
                chosen = [u for u in units if chosen is None or u in chosen]
            elif op in ("not in", "<>"):
                excluded += units
            elif op in (">", ">=") and units:
                low = max(low, units[0] + (op == ">"))
                bounded_low = True
            elif op in ("<", "<=") and units:
                high = min(high, units[0] - (op == "<"))
                bounded_high = True
        step = self.step
        low, high = -(-low // step) * step, high // step * step
        if chosen is not None:
            pool = [u for u in chosen if low <= u <= high and u not in excluded and u % step == 0]
            if pool:
                return tuple(self._value(u) for u in pool)
        if low > high:  # contradictory, or unreadable: let the database refuse what it must
            low, high, bounded_low, bounded_high = self.low, self.high, False, False
        usual_low, usual_high = low, high
        if self.usual is not None:
            usual_low = low if bounded_low else max(low, self.usual[0])
            usual_high = high if bounded_high else min(high, self.usual[1])
            if usual_low > usual_high:
                usual_low, usual_high = low, high
        if key and self.usual is None:  # a window of small keys: 1..40 where allowed
            start = 1 if low <= 1 <= high else low if low > 1 else max(low, high - KEY_SPAN + 1)
            usual_low, usual_high = start, min(high, start + KEY_SPAN - 1)
        edges = [low] * bounded_low + [high] * bounded_high
        ties = sorted(u for u in [*self.pool, *edges]  # duplicates weigh more: more ties
                      if low <= u <= high and u % step == 0 and u not in excluded)
        if key and self.usual is None:  # the window itself: a byte picks a key
            return tuple(self._value(n * step)
                         for n in range(usual_low // step, usual_high // step + 1)
                         if n * step not in excluded) or (self._value(low),)
        drawn = st.integers(usual_low // step, usual_high // step)
        if step != 1:
            drawn = drawn.map(lambda n: n * step)
        if excluded:
            drawn = drawn.filter(lambda u: u not in excluded)
        free = (Free(drawn.map(self._value)),)
        if not ties:
            return free
        return mix((self.tie_weight, tuple(self._value(u) for u in ties)), (1, free))

    def _value(self, n: int) -> Any:
        if self.zoned:  # the zone follows from the instant: no draw of its own
            return self.from_units(n).astimezone(ZONES[n % len(ZONES)])
        return self.from_units(n)


def _micros(moment: dt.datetime) -> int:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 10**6 + delta.microseconds


def _timestamp_units(value: Any) -> int:
    if isinstance(value, dt.datetime):
        return _micros(value)
    if isinstance(value, dt.date):
        return _micros(dt.datetime.combine(value, dt.time()))
    return _micros(dt.datetime.fromisoformat(str(value)))


def _int_units(value: Any) -> int:
    number = Decimal(str(value))
    if number != number.to_integral_value():
        # `x > 2.5` on an integer column: the bound lies between two integers.
        return math.floor(number) if number > 0 else math.ceil(number)
    return int(number)


def _integers(column: Column) -> _Ordered:
    bits = INT_BITS[column.type]
    return _Ordered(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1, _int_units, int,
                    [0, 1, -1, 2, 3, -(2 ** (bits - 1)), 2 ** (bits - 1) - 1])


def _numeric(column: Column) -> _Ordered:
    scale = column.scale if column.scale is not None else 6
    digits = column.precision if column.precision is not None else 24
    biggest = 10**digits - 1
    factor = Decimal(10) ** scale

    def to_units(value: Any) -> int:
        return int((Decimal(str(value)) * factor).to_integral_value())

    return _Ordered(-biggest, biggest, to_units, lambda n: Decimal(n).scaleb(-scale),
                    [0, int(factor), -int(factor), 1, -1, biggest, -biggest],
                    usual=None if column.precision is not None else (-(10**12), 10**12))


def _step(column: Column, default: int = 6) -> int:
    precision = column.precision if column.precision is not None else default
    return int(10 ** (6 - min(6, max(0, precision))))


def _timestamps(column: Column) -> _Ordered:
    zoned = column.type == "timestamptz"

    def from_units(n: int) -> dt.datetime:
        moment = EPOCH + dt.timedelta(microseconds=n)
        return moment.replace(tzinfo=UTC) if zoned else moment

    return _Ordered(_micros(FIRST), _micros(LAST), _timestamp_units, from_units,
                    [_micros(i) for i in INSTANTS] + [_micros(FIRST), _micros(LAST)],
                    usual=(_micros(USUAL_FIRST), _micros(USUAL_LAST)), step=_step(column),
                    zoned=zoned, tie_weight=6)


def _dates(column: Column) -> _Ordered:
    def to_units(value: Any) -> int:
        if isinstance(value, dt.date):
            return value.toordinal()
        return dt.date.fromisoformat(str(value)[:10]).toordinal()

    return _Ordered(1, dt.date.max.toordinal(), to_units, dt.date.fromordinal,
                    [i.date().toordinal() for i in INSTANTS] + [1, dt.date.max.toordinal()],
                    usual=(USUAL_FIRST.toordinal(), USUAL_LAST.toordinal()), tie_weight=3)


def _time_units(value: Any) -> int:
    moment = value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value))
    return ((moment.hour * 60 + moment.minute) * 60 + moment.second) * 10**6 + (
        moment.microsecond)


def _times(column: Column) -> _Ordered:
    def from_units(n: int) -> dt.time:
        seconds, micro = divmod(n, 10**6)
        return dt.time(seconds // 3600, seconds // 60 % 60, seconds % 60, micro)

    return _Ordered(0, US_PER_DAY - 1, _time_units, from_units,
                    [_time_units(t) for t in TIMES], step=_step(column), tie_weight=3)


def _interval_units(value: Any) -> int:
    if isinstance(value, dt.timedelta):
        return value // dt.timedelta(microseconds=1)
    raise ValueError(value)  # interval literals ('1 day') are not parsed: the database checks


def _intervals(column: Column) -> _Ordered:
    span = 10**6 * US_PER_DAY
    return _Ordered(-span, span, _interval_units, lambda n: dt.timedelta(microseconds=n),
                    [_interval_units(i) for i in INTERVALS], usual=(-1000 * US_PER_DAY,
                                                                    1000 * US_PER_DAY),
                    step=_step(column))


_ORDERED: dict[str, Callable[[Column], _Ordered]] = {
    "int2": _integers, "int4": _integers, "int8": _integers, "numeric": _numeric,
    "timestamp": _timestamps, "timestamptz": _timestamps, "date": _dates, "time": _times,
    "interval": _intervals,
}
