"""The main job: every registered pair must behave the same on SQLAlchemy 1.4 and 2.x."""

import pytest

import equivalence_tests.pairs  # noqa: F401  (registers the pairs)
from equivalence_tests.conftest import rerun_command
from equivalence_tests.harness.check import Verdict, check
from equivalence_tests.harness.report import counterexample_text
from equivalence_tests.harness.state import ResetBlocked
from equivalence_tests.harness.workbench import Workbench
from equivalence_tests.harness.workers import WorkerError
from equivalence_tests.registry import PAIRS, Pair


@pytest.mark.parametrize("pair", list(PAIRS.values()), ids=lambda pair: pair.name)
def test_pair(pair: Pair, workbench: Workbench, verdicts: list[Verdict]) -> None:
    try:
        verdict = check(pair, workbench)
    except (WorkerError, ResetBlocked) as error:
        # The workbench itself is broken (a crashed or hung worker): no later verdict is worth
        # having, so stop with the one line that says what happened.
        pytest.exit(f"workbench: pair {pair.name}: {error}", returncode=3)
    verdicts.append(verdict)
    if not verdict.ok:
        detail = (counterexample_text(pair, verdict, rerun_command(pair.name))
                  if verdict.counterexample else f"{pair.name}: {verdict.status}")
        pytest.fail(detail, pytrace=False)
