"""The study shows each pair's row of the runtime matrix once `readiness` has written one."""

import json
from pathlib import Path

from equivalence_tests import readiness
from equivalence_tests.registry import pair
from equivalence_tests.study import data


def test_a_pair_shows_its_readiness_cells_from_the_matrix_beside_the_study(tmp_path: Path):
    assert data.readiness("get_user_orders", tmp_path) == data.NO_READINESS
    (tmp_path / "readiness.json").write_text(json.dumps({"version": 1, "cells": [
        {"pair": "get_user_orders", "runtime": "legacy_future", "state": "equivalent",
         "warnings": [], "clean": True},
        {"pair": "get_user_orders", "runtime": "modern_on_14", "state": "error",
         "warnings": [{"category": "RemovedIn20Warning"}], "clean": False},
        {"pair": "count_users", "runtime": "legacy_on_20", "state": "error", "warnings": []}]}))
    assert data.readiness("get_user_orders", tmp_path) == (
        "legacy_future: equivalent; modern_on_14: error (w1)")
    assert data.readiness("no_such_pair", tmp_path) == data.NO_READINESS


def test_the_json_readiness_writes_is_the_json_the_study_reads(tmp_path: Path):
    """Round trip: readiness's own matrix, through its own JSON, into the study's line."""
    lookup = pair("repositories:get_user_orders", registry={})
    runtimes = [r for r in readiness.RUNTIMES if r.name in ("legacy_future", "legacy_on_20")]
    matrix = readiness.Matrix(runtimes, [lookup], examples=5)
    matrix.cells[lookup.name, "legacy_future"] = readiness.Cell(
        lookup.name, "legacy_future", lookup.legacy, "equivalent", clean=True)
    matrix.cells[lookup.name, "legacy_on_20"] = readiness.Cell(
        lookup.name, "legacy_on_20", lookup.legacy, "error", "AttributeError: ...",
        warnings=[{"category": "RemovedIn20Warning"}])
    (tmp_path / "readiness.json").write_text(json.dumps(readiness.to_json(matrix)))
    assert data.readiness(lookup.name, tmp_path) == (
        "legacy_future: equivalent; legacy_on_20: error (w1)")
