"""A pair: a legacy function, its migration, and what the comparison may ignore or must see."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from equivalence_tests.domain.dataset import Dataset

if TYPE_CHECKING:  # the strategies themselves live above this layer
    from hypothesis.strategies import SearchStrategy

# An argument's strategy: given the example's dataset, what to draw (a key present in it...).
ArgStrategy = Callable[[Dataset], "SearchStrategy[Any]"]
# (dataset, one item of the list result in its canonical form) -> the item's sort key.
OrderKey = Callable[[Dataset, Any], Any]


@dataclass(frozen=True)
class Pair:
    """A legacy function, its migration, and what the comparison may ignore or must look at."""

    name: str
    legacy: str  # "module:function" under legacy_14/, or an absolute "pkg.module:function"
    modern: str  # the same under modern_20/
    args: Mapping[str, ArgStrategy] = field(default_factory=dict)
    ordered_by: str | None = None  # the sort key the function promises; ties may come in any order
    # The function promises an order by a key its result may not carry (users by their latest
    # order's date). A function (dataset, item) -> that key, computed from the dataset: the
    # items must come in the control's sequence, those with equal keys in any order. Or True:
    # a list in another sequence is a divergence unless the control's own order moves when
    # it is asked again on the same rows inserted in another physical order (then: ties).
    # Measured on a dropped ORDER BY: the key caught it in 40 of 40 random runs of 100
    # examples (`nox -s detection`) with no false alarm; True caught 19 of 20 but twice
    # failed a migration with the same SQL (ties ordered by each database's own physical
    # history, which the control's rerun does not reproduce). Prefer the key.
    ordered: bool | OrderKey = False
    writes: bool = False  # compare the database state after the call as well
    loads: tuple[str, ...] = ()  # relationships the result promises to have loaded
    commit: bool = False  # the caller commits after the call (the function only flushes)
    known: str | None = None  # a divergence we expect, explained in one line
    # Paths the generated examples must exercise: label -> regex searched in both sides' SQL
    # and outcomes. A path no example reached makes the run incomplete, not green.
    covers: Mapping[str, str] = field(default_factory=dict)
    # Tables half the examples must have rows in: for deep chains (an order with items).
    rich: tuple[str, ...] = ()
    doc: str = ""
    service: str = "demo"  # whose schema and databases it runs on
    # Parameters whose strategy is inferred from the schema once it is known: name -> its
    # annotation's text ("" without one). Found pairs have these; registered ones rarely.
    infer: Mapping[str, str] = field(default_factory=dict)
    found: bool = False  # paired by module and name, with no registration line
