"""The driver refuses to compare when a worker runs another SQLAlchemy than its side pins."""

import pytest

from equivalence_tests.domain.errors import WorkerError
from equivalence_tests.harness.workers import Side, check_hello, pinned_version


def test_pins_come_from_pyproject_dependency_groups():
    assert pinned_version("legacy_14") == "1.4.54"
    assert pinned_version("modern_20").startswith("2.0.")
    assert pinned_version("modern_21").startswith("2.1.")


def test_a_worker_on_the_pinned_version_is_accepted():
    side = Side("legacy_14", "legacy_14", "/x/python")
    check_hello(side, {"op": "hello", "side": "legacy_14", "sqlalchemy": "1.4.54"})


def test_a_worker_on_another_version_is_refused_in_one_line():
    side = Side("legacy_14", "legacy_14", "/x/python")
    with pytest.raises(WorkerError) as error:
        check_hello(side, {"op": "hello", "side": "legacy_14", "sqlalchemy": "2.0.58"})
    assert "2.0.58" in str(error.value) and "1.4.54" in str(error.value)
    assert "\n" not in str(error.value)


def test_an_unknown_environment_is_refused():
    with pytest.raises(WorkerError):
        pinned_version("legacy_13")
