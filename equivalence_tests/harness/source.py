"""A side's function as it is written: its source, read from its file (the driver imports no
side code)."""

from __future__ import annotations

import ast

from equivalence_tests.domain.service import ROOT


def function_source(target: str, package: str) -> list[str]:
    """The source of a pair's function, read from its file (the driver imports no side code)."""
    module, _, name = target.partition(":")
    dotted = module if "." in module else f"{package}.{module}"
    path = ROOT.joinpath(*dotted.split(".")).with_suffix(".py")
    try:
        source = path.read_text()
    except OSError:
        return [f"(no file {path.relative_to(ROOT)})"]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            return (ast.get_source_segment(source, node, padded=True) or "").splitlines()
    return [f"(no function {name} in {path.relative_to(ROOT)})"]
