"""The study shows each pair's row of the runtime matrix once `readiness` has written one."""

import json
from pathlib import Path

from equivalence_tests.study import data


def test_a_pair_shows_its_readiness_cells_from_the_matrix_beside_the_study(tmp_path: Path):
    assert data.readiness("get_user_orders", tmp_path) == data.NO_READINESS
    (tmp_path / "readiness.json").write_text(json.dumps({"version": 1, "cells": [
        {"pair": "get_user_orders", "runtime": "legacy_future", "state": "equivalent",
         "warnings": [], "clean": True},
        {"pair": "get_user_orders", "runtime": "modern_on_14", "state": "error",
         "warnings": [{"category": "RemovedIn20Warning"}], "clean": False},
        {"pair": "count_users", "runtime": "legacy_20", "state": "error", "warnings": []}]}))
    assert data.readiness("get_user_orders", tmp_path) == (
        "legacy_future: equivalent; modern_on_14: error (w1)")
    assert data.readiness("no_such_pair", tmp_path) == data.NO_READINESS
