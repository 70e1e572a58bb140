"""The wrong migrations the workbench knows, declared once: each a pair it must flag.

The quality suite checks each one's verdict and shrunk counterexample on derandomized examples;
`nox -s detection` measures how often a fresh random run catches it (the demo's registered
known divergences join them there). Their code is in equivalence_tests/mutants/.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from hypothesis import strategies as st

from equivalence_tests.domain.pair import ArgStrategy, OrderKey, Pair
from equivalence_tests.registry import PAIRS, pair
from equivalence_tests.runner import every_pair  # registers the demo's pairs first
from equivalence_tests.strategies import anything, key_of, words

LEGACY = "equivalence_tests.mutants.legacy"
MODERN = "equivalence_tests.mutants.modern"


@dataclass(frozen=True)
class Wrong:
    """A migration known to be wrong, and the verdict that means the workbench caught it."""

    name: str
    pair: Pair
    caught_as: str = "divergent"
    # Why a random run of the default length may miss it, where that is a fact about the
    # mistake and not about the data the workbench draws; "" when it must be caught.
    rare: str = ""


def mutant(function: str, modern: str | None = None,
           args: Mapping[str, ArgStrategy] | None = None, *, writes: bool = False) -> Pair:
    """The quality suite's pair: legacy and modern halves from equivalence_tests/mutants/."""
    return pair(f"{LEGACY}:{function}", args, modern=modern or f"{MODERN}:{function}",
                registry={}, writes=writes)


def found(name: str) -> Pair:
    """A pair the workbench found with no registration, arguments inferred from the schema."""
    return next(p for p in every_pair()[0] if p.name == name)


def latest_order(dataset: dict[str, list[dict[str, Any]]], user: Any) -> Any:
    """The order key computed from the dataset: when the user's latest order was placed."""
    return max((order["created_at"] for order in dataset.get("orders", [])
                if order["user_id"] == user["columns"]["id"]), default=None)


def by_latest_order(modern: str, ordered: bool | OrderKey) -> Pair:
    """users_by_latest_order against a modern variant, its order checked as `ordered` says."""
    return pair(f"{LEGACY}:users_by_latest_order", modern=f"{MODERN}:{modern}", registry={},
                ordered=ordered, rich=("orders",))


slugs = anything(st.lists(st.text("xyz", min_size=1, max_size=2), unique=True, max_size=3))

WRONG = {w.name: w for w in [
    Wrong("first() -> scalar_one_or_none()",
          mutant("find_user_by_name", args={"name": key_of("users", "name", absent=words)})),
    Wrong("lost de-duplication of joined entities", mutant("users_with_orders")),
    Wrong("integer division became true division", mutant("items_per_order")),
    Wrong("flipped sort direction",
          pair("repositories:get_active_users", registry={}, ordered_by="created_at",
               modern=f"{MODERN}:get_active_users_ascending")),
    Wrong("write never committed",
          mutant("deactivate_user", args={"user_id": key_of("users")}, writes=True)),
    Wrong("rows created in another order",
          mutant("add_tenants", f"{MODERN}:add_tenants_reversed", {"slugs": slugs},
                 writes=True)),
    Wrong("dropped time zone", mutant("oldest_signup", f"{MODERN}:oldest_signup_naive")),
    Wrong("result object where legacy returned its rowcount", mutant("update_rowcount")),
    Wrong("list of rows where legacy returned the result",
          mutant("user_rows_cursor", f"{LEGACY}:user_rows_list")),
    Wrong("dropped ORDER BY on a key outside the result",
          by_latest_order("users_by_latest_order_unordered", latest_order)),
    Wrong("library.retire never committed (README walkthrough)",
          replace(found("library.retire"),
                  modern="equivalence_tests.mutants.library_modern:retire")),
]}


def every_wrong_migration() -> list[Wrong]:
    """The quality suite's wrong migrations, then the demo's registered known divergences."""
    known = [Wrong(f"{p.name} (demo, known)", p, "known divergence")
             for p in PAIRS.values() if p.known]
    return [*WRONG.values(), *known]
