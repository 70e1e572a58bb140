"""The verdict report: the summary line accounts for every selected pair, labels print as
written, and the rerun command names the session that found the divergence."""

from __future__ import annotations

import pytest

from equivalence_tests.conftest import rerun_command
from equivalence_tests.domain.run import Run
from equivalence_tests.domain.status import Status
from equivalence_tests.domain.verdict import Tally, Verdict
from equivalence_tests.harness.report import render, summary_line, verdict_table
from equivalence_tests.registry import pair


def verdict(name: str, status: str) -> Verdict:
    return Verdict(pair(f"m:{name}", registry={}), Status(status), Tally(), None,
                   ("1.4.54", "2.0.58"))


def test_every_pair_ok_is_safe_to_ship() -> None:
    run = Run(selected=["a", "b"], verdicts=[verdict("a", "equivalent"),
                                             verdict("b", "known divergence")])
    assert summary_line(run) == ("2 pairs (SQLAlchemy 1.4.54 vs 2.0.58): 1 equivalent, "
                                 "1 known divergence -> safe to ship")


def test_pairs_that_never_ran_or_hit_a_harness_error_are_counted_and_not_safe() -> None:
    run = Run(selected=["a", "b", "c"], verdicts=[verdict("a", "equivalent")],
              errors={"b": "WorkerError: legacy_14 worker exited with status 7"})
    assert summary_line(run) == ("3 pairs (SQLAlchemy 1.4.54 vs 2.0.58): 1 equivalent, "
                                 "1 harness error, 1 not run -> NOT safe to ship")
    assert not run.safe


@pytest.mark.parametrize("broken", [{"interrupted": "SIGINT"}, {"teardown_failed": True}])
def test_an_interrupted_or_untidy_run_is_never_safe_even_if_every_pair_finished(
        broken: dict[str, object]) -> None:
    run = Run(selected=["a"], verdicts=[verdict("a", "equivalent")])
    assert run.safe
    for key, value in broken.items():
        setattr(run, key, value)
    assert not run.safe
    assert summary_line(run).endswith("-> NOT safe to ship")


def test_a_pair_that_never_ran_alone_makes_the_run_not_safe() -> None:
    run = Run(selected=["a", "b"], verdicts=[verdict("a", "equivalent")])
    assert not run.safe
    assert summary_line(run).endswith("1 equivalent, 1 not run -> NOT safe to ship")


def test_a_run_with_no_pair_is_not_safe() -> None:
    assert not Run().safe


def test_square_brackets_in_a_label_are_printed_not_read_as_markup() -> None:
    table = render(verdict_table([verdict("H11 Mapped[str]", "equivalent")]), width=200)
    assert "H11 Mapped[str]" in table


def test_the_rerun_command_names_the_session_that_ran(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_SESSION", "equivalence_21")
    assert rerun_command("get_x (async)") == (
        "python3 run_nox.py -s equivalence_21 -- --pair 'get_x (async)'")
