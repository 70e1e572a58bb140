"""The readiness matrix: each cell from a real run on that runtime, with the warnings census."""

from __future__ import annotations

import pytest

from equivalence_tests.domain.pair import Pair
from equivalence_tests.harness.workbench import provision
from equivalence_tests.readiness import BY_NAME, Matrix, guide_reality, report, run, to_json
from equivalence_tests.strategies import key_of

LEGACY = "equivalence_tests.mutants.readiness_legacy"
MODERN = "equivalence_tests.mutants.readiness_modern"
PAIRS = [
    Pair("raw string", f"{LEGACY}:count_users_raw", f"{LEGACY}:count_users_raw"),
    Pair("row membership", f"{LEGACY}:first_row_has_id", f"{LEGACY}:first_row_has_id"),
    Pair("planted Query.get", f"{LEGACY}:get_user", f"{MODERN}:get_user",
         args={"user_id": key_of("users")}),
    Pair("migrated get", f"{LEGACY}:get_user", f"{MODERN}:get_user_migrated",
         args={"user_id": key_of("users")}),
]


@pytest.fixture(scope="module")
def matrix() -> Matrix:
    runtimes = [BY_NAME[name] for name in ("control", "legacy_on_20", "modern_20",
                                           "modern_on_14")]
    with provision() as lab:
        return run(PAIRS, runtimes, examples=5, lab=lab, progress=False)


def test_a_legacy_function_that_cannot_run_on_20_is_an_error_with_its_exception(
        matrix: Matrix) -> None:
    cell = matrix.cells["raw string", "legacy_on_20"]
    assert cell.state == "error", cell
    assert cell.detail.startswith(("ArgumentError", "ObjectNotExecutableError")), cell.detail
    assert matrix.versions["legacy_on_20"].startswith("2.0.")
    assert matrix.cells["raw string", "control"].state == "equivalent"


def test_a_legacy_function_that_answers_otherwise_on_20_is_divergent_with_a_counterexample(
        matrix: Matrix) -> None:
    cell = matrix.cells["row membership", "legacy_on_20"]
    assert cell.state == "divergent", cell
    assert cell.counterexample is not None
    assert cell.counterexample["control"] is True and cell.counterexample["candidate"] is False


def test_a_deprecated_call_planted_in_modern_code_makes_its_2x_cell_not_clean(
        matrix: Matrix) -> None:
    planted = matrix.cells["planted Query.get", "modern_20"]
    assert planted.state == "equivalent" and not planted.clean, planted
    (warning,) = [w for w in planted.warnings if w["category"] == "LegacyAPIWarning"]
    assert warning["where"] == "equivalence_tests/mutants/readiness_modern.py:10"
    migrated = matrix.cells["migrated get", "modern_20"]
    assert migrated.state == "equivalent" and migrated.clean and not migrated.warnings


def test_the_census_names_the_legacy_line_on_14_and_the_guides_filter_misses_it(
        matrix: Matrix) -> None:
    control = matrix.cells["raw string", "control"]
    assert {(w["category"], w["where"]) for w in control.warnings} >= {
        ("RemovedIn20Warning", "equivalence_tests/mutants/readiness_legacy.py:10")}
    missed = guide_reality(matrix)["missed_by_filter"]
    assert {"LegacyAPIWarning"} <= {record["category"] for record in missed}


def test_modern_code_that_cannot_import_on_14_is_reported_not_crashed(matrix: Matrix) -> None:
    cell = matrix.cells["migrated get", "modern_on_14"]
    assert cell.state == "error" and cell.detail.startswith("on import: ImportError"), cell
    data = to_json(matrix)
    assert {c["runtime"] for c in data["cells"]} == {"control", "legacy_on_20", "modern_20",
                                                      "modern_on_14"}
    assert "raw string" in report(matrix)
