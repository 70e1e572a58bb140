"""Under pytest-xdist the controller prints one table and one summary line for every worker's
pairs, and nothing a worker failed to report can end as "safe to ship"."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from equivalence_tests.domain.run import Row, Run
from equivalence_tests.domain.status import Status
from equivalence_tests.domain.verdict import Tally, Verdict
from equivalence_tests.harness.report import (
    ERROR_PROPERTY,
    ROW_PROPERTY,
    STATE_OUTPUT,
    Gather,
    pair_of,
    render,
    summary_line,
    verdict_table,
)
from equivalence_tests.registry import pair

ROOT = Path(__file__).resolve().parents[2]
IDS = [f"equivalence_tests/test_equivalence.py::test_pair[{name}]" for name in "abc"]


def row(name: str, status: str = "equivalent") -> list[tuple[str, object]]:
    verdict = Verdict(pair(f"m:{name}", registry={}), Status(status), Tally(examples=100), None,
                      ("1.4.54", "2.0.58"))
    return [(ROW_PROPERTY, Row.of(verdict).wire())]


def ended(run: Run | None = None) -> dict[str, object]:
    return {STATE_OUTPUT: (run or Run()).wire()}


def gathered() -> Gather:
    gather = Gather(Run())
    gather.collected([*IDS, "equivalence_tests/unit/test_x.py::test_other"])
    return gather


def test_every_pair_of_every_worker_makes_one_run_that_is_safe() -> None:
    gather = gathered()
    gather.report(IDS[1], row("b", "known divergence"))
    gather.report(IDS[0], row("a"))
    gather.report(IDS[0], row("a"))  # the teardown report carries the same properties
    gather.report(IDS[2], row("c"))
    gather.node_down("gw0", ended(), None)
    gather.node_down("gw1", ended(), None)
    run = gather.run
    assert run.selected == ["a", "b", "c"]
    assert [r.name for r in run.all_rows] == ["a", "b", "c"]  # the selection's order
    assert run.safe
    assert summary_line(run) == ("3 pairs (SQLAlchemy 1.4.54 vs 2.0.58): 2 equivalent, "
                                 "1 known divergence -> safe to ship")


def test_a_pair_no_worker_ran_makes_the_run_not_safe() -> None:
    gather = gathered()
    gather.report(IDS[0], row("a"))
    gather.report(IDS[1], row("b"))
    gather.node_down("gw0", ended(), None)
    gather.node_down("gw1", ended(), None)
    assert not gather.run.safe
    assert summary_line(gather.run).endswith("2 equivalent, 1 not run -> NOT safe to ship")


def test_a_crashed_worker_makes_the_run_not_safe_and_its_pair_a_harness_error() -> None:
    gather = gathered()
    gather.report(IDS[0], row("a"))
    gather.report(IDS[1], [], crashed=f"worker 'gw1' crashed while running '{IDS[1]}'")
    gather.node_down("gw1", None, "Not properly terminated")
    gather.report(IDS[2], row("c"))  # the worker xdist started in its place ran the rest
    gather.node_down("gw0", ended(), None)
    gather.node_down("gw2", ended(), None)
    line = summary_line(gather.run)
    assert line == ("3 pairs (SQLAlchemy 1.4.54 vs 2.0.58): 2 equivalent, 1 harness error "
                    "(xdist worker gw1 crashed (Not properly terminated)) -> NOT safe to ship")
    assert gather.run.errors == {"b": f"worker 'gw1' crashed while running '{IDS[1]}'"}


def test_a_crashed_worker_alone_makes_the_run_not_safe_even_if_every_pair_has_a_verdict() -> None:
    gather = gathered()
    for nodeid, name in zip(IDS, "abc", strict=True):
        gather.report(nodeid, row(name))
    gather.node_down("gw0", ended(), None)
    gather.node_down("gw1", None, "Not properly terminated")
    assert not gather.run.safe


def test_an_interrupted_worker_its_errors_notes_and_blockers_reach_the_controller() -> None:
    worker = Run(errors={"c": "WorkerError: legacy_14 worker exited with status 7"},
                 notes=["leftover wb_1_demo_legacy_14 of run 1, which is gone: dropped"],
                 blockers=["demo: legacy_14: users.email is nullable in the models"],
                 interrupted="SIGINT")
    other = Run(notes=list(worker.notes), blockers=list(worker.blockers))
    gather = gathered()
    gather.report(IDS[0], row("a"))
    gather.report(IDS[1], row("b"))
    gather.report(IDS[2], [(ERROR_PROPERTY, ["c", worker.errors["c"]])])
    gather.node_down("gw0", ended(worker), None)
    gather.node_down("gw0", ended(worker), "keyboard-interrupt")  # xdist says it twice
    gather.node_down("gw1", ended(other), None)
    run = gather.run
    assert run.notes == worker.notes and run.blockers == worker.blockers  # once each
    assert run.interrupted == "SIGINT" and not run.lost
    assert summary_line(run) == ("3 pairs (SQLAlchemy 1.4.54 vs 2.0.58): 2 equivalent, "
                                 "1 harness error (interrupted by SIGINT; 1 blocker(s) above) "
                                 "-> NOT safe to ship")


def test_a_worker_that_ends_without_its_state_is_lost() -> None:
    gather = gathered()
    for nodeid, name in zip(IDS, "abc", strict=True):
        gather.report(nodeid, row(name))
    gather.node_down("gw0", {"exitstatus": 0}, None)
    assert gather.run.lost == ["xdist worker gw0 ended without reporting"]
    assert not gather.run.safe


def test_a_row_survives_the_trip_and_renders_as_the_verdict_did() -> None:
    tally = Tally(examples=7, covered={"found": 3}, statements=(2, 1),
                  warnings=({"LegacyAPIWarning"}, set()), leaked=["legacy_14"])
    verdict = Verdict(pair("m:f", registry={}), Status.EQUIVALENT, tally, None,
                      ("1.4.54", "2.0.58"))
    sent = Row.from_wire(Row.of(verdict).wire())
    assert sent == Row.of(verdict)
    assert render(verdict_table([sent])) == render(verdict_table([verdict]))


def test_the_pair_a_node_id_names() -> None:
    assert pair_of("equivalence_tests/test_equivalence.py::test_pair[get_x (async)]") == \
        "get_x (async)"
    assert pair_of("equivalence_tests/unit/test_report.py::test_y") is None


@pytest.mark.db
def test_real_xdist_workers_one_of_which_dies_under_a_pair(tmp_path: Path) -> None:
    """Through pytest-xdist itself: rows travel with the reports, the workers' state with their
    end, and a worker that dies (os._exit, as a segfault or the OOM killer would) under a pair
    makes one summary line that says NOT safe to ship, and a nonzero exit."""
    (tmp_path / "test_fake.py").write_text(textwrap.dedent('''
        import os
        import pytest
        from equivalence_tests.conftest import record_verdict
        from equivalence_tests.domain.status import Status
        from equivalence_tests.harness.search import Tally, Verdict
        from equivalence_tests.registry import pair

        PAIRS = [pair(f"m:{name}", registry={}) for name in ("a", "b", "dies")]

        @pytest.mark.parametrize("pair", PAIRS, ids=lambda pair: pair.name)
        def test_pair(pair, request):
            if pair.name == "dies":
                os._exit(9)
            record_verdict(request, Verdict(pair, Status.EQUIVALENT, Tally(), None, ("1", "2")))
    '''))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("WORKBENCH_HYPOTHESIS_REDIS", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "equivalence_tests.conftest", "-p",
         "no:cacheprovider", "-n", "2", "--max-worker-restart", "1", "-q",
         "--rootdir", str(tmp_path), str(tmp_path / "test_fake.py")],
        cwd=ROOT, env={**env, "WORKBENCH_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/x"},
        capture_output=True, text=True, timeout=120, check=False)
    out = done.stdout
    assert done.returncode != 0, out
    assert out.count("== verdicts ==") == 1, out
    summaries = [line for line in out.splitlines() if line.startswith("3 pairs")]
    assert len(summaries) == 1, out
    head = "3 pairs (SQLAlchemy 1 vs 2): 2 equivalent, 1 harness error ("
    assert summaries[0].startswith(head), out
    assert "crashed" in summaries[0] and summaries[0].endswith("-> NOT safe to ship"), out
