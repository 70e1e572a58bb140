"""Found pairs: functions paired by name, what the worker passes first, arguments inferred from
the signature and the schema (the demo's catalog, read from a real database), and hints."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from equivalence_tests.domain.service import Service
from equivalence_tests.harness.workbench import Workbench
from equivalence_tests.inference import CannotInfer, infer
from equivalence_tests.services import HINTS, hint, pairing
from shared_schema.protocol import injected

pytestmark = pytest.mark.db

DATASET = {"users": [{"id": 3, "email": "a@x"}], "products": [{"id": 7, "sku": "B1"}],
           "tenants": [], "orders": [], "order_items": [], "invoices": []}


def draws(strategy: st.SearchStrategy[object], n: int = 60) -> list[object]:
    seen: list[object] = []

    @settings(max_examples=n, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])  # a loaded 2-core CI machine
    @given(strategy)
    def collect(value: object) -> None:
        seen.append(value)

    collect()
    return seen


@pytest.mark.parametrize(("name", "annotation", "kind"), [
    ("session", None, "session"), ("db", None, "session"), ("db_session", None, "session"),
    ("s", "Session", "session"), ("s", "AsyncSession", "session"),
    ("s", "sqlalchemy.orm.Session", "session"), ("e", "Engine", "engine"),
    ("engine", None, "engine"), ("c", "Connection", "connection"), ("conn", None, "connection"),
    ("user_id", "int", None), ("session_id", None, None),
])
def test_the_first_parameter_gets_a_session_engine_or_connection_by_annotation_or_name(
        name: str, annotation: str | None, kind: str | None) -> None:
    assert injected(name, annotation) == kind


def test_key_parameters_draw_present_and_absent_keys(workbench: Workbench) -> None:
    strategies = infer("m:f", {"user_id": "", "sku": "str"}, workbench.catalog)
    users = draws(strategies["user_id"](DATASET))
    assert 3 in users and any(u != 3 for u in users)
    skus = draws(strategies["sku"](DATASET))
    assert "B1" in skus and any(s != "B1" for s in skus)


def test_rows_named_after_a_table_are_shaped_like_it(workbench: Workbench) -> None:
    rows = draws(infer("m:f", {"products": "list[dict[str, Any]]"},
                       workbench.catalog)["products"](DATASET))
    columns = {column for batch in rows for row in batch for column in row}  # type: ignore[attr-defined]
    assert {"sku", "price", "tenant_id"} <= columns and "id" not in columns


def test_other_parameters_draw_from_their_annotation(workbench: Workbench) -> None:
    values = draws(infer("m:f", {"limit": "int | None"}, workbench.catalog)["limit"](DATASET))
    assert None in values and any(isinstance(v, int) for v in values)


def test_a_parameter_nothing_fits_names_itself_and_the_line_that_registers_it(
        workbench: Workbench) -> None:
    with pytest.raises(CannotInfer) as error:
        infer("library:search", {"query": ""}, workbench.catalog)
    assert "parameter 'query' of library:search" in str(error.value)
    assert "pair('library:search', {'query': anything(st.integers())})" in str(error.value)


def test_functions_pair_by_module_and_name_and_the_rest_is_listed_with_a_reason() -> None:
    paired, unpaired = pairing(Service("library", ("library",)))
    assert sorted(legacy.name for legacy, _ in paired) == ["books_by", "count_published",
                                                          "retire"]
    assert unpaired == []


def test_a_hint_overrides_one_column_of_a_service(workbench: Workbench) -> None:
    from equivalence_tests.schema import derive

    hint("demo_hinted", "tenants.name", ["only"])
    try:
        strategy = derive.datasets(workbench.catalog, hints=HINTS["demo_hinted"])
        names = {row["name"] for dataset in draws(strategy, 30)
                 for row in dataset["tenants"]}  # type: ignore[index]
        assert names <= {"only"} and names
    finally:
        HINTS.pop("demo_hinted")
