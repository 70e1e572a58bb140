"""The driver's layers import only downwards: domain/ nothing of the driver above it, schema/
and harness/ nothing of how pairs are declared or run (equivalence_tests/README.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parents[1]
# layer -> the driver's modules and packages it may import
ALLOWED = {
    "domain": {"domain"},
    "schema": {"domain", "schema"},
    "harness": {"domain", "schema", "harness"},
}


def driver_imports(path: Path) -> set[str]:
    """The first part under equivalence_tests/ of every module `path` imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        found |= {name.split(".")[1] for name in names
                  if name.startswith("equivalence_tests.")}
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_a_layer_imports_nothing_above_it(layer: str) -> None:
    upward = {f"{path.relative_to(HERE)} imports equivalence_tests.{name}"
              for path in sorted((HERE / layer).glob("*.py"))
              for name in driver_imports(path) - ALLOWED[layer]}
    assert not upward


def test_the_check_finds_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from equivalence_tests.registry import pair\n"
                      "import equivalence_tests.domain\n")
    assert driver_imports(module) - ALLOWED["harness"] == {"registry"}
