"""One rule for deprecation warnings, by the class name or its bases (step and readiness)."""

from __future__ import annotations

import pytest

from equivalence_tests.domain.deprecation import is_deprecation


@pytest.mark.parametrize("names", [["LegacyAPIWarning"], ["RemovedIn20Warning"],
                                   ["MovedIn20Warning"], ["SADeprecationWarning"],
                                   ["MyWarning", "DeprecationWarning", "Warning"]])
def test_sqlalchemy_deprecations_and_legacy_apis_count(names: list[str]) -> None:
    assert is_deprecation(names)


@pytest.mark.parametrize("names", [["SAWarning"], ["UserWarning", "Warning"], []])
def test_other_warnings_do_not(names: list[str]) -> None:
    assert not is_deprecation(names)
