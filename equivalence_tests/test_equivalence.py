"""The main job: every registered pair must behave the same on SQLAlchemy 1.4 and 2.x."""

import pytest

import equivalence_tests.pairs  # noqa: F401  (registers the pairs)
from equivalence_tests.conftest import RUN, rerun_command
from equivalence_tests.harness.check import check
from equivalence_tests.harness.report import counterexample_text
from equivalence_tests.harness.state import ResetBlocked, ServerLost
from equivalence_tests.harness.workbench import Workbench
from equivalence_tests.harness.workers import WorkerError
from equivalence_tests.registry import PAIRS, Pair


@pytest.mark.parametrize("pair", list(PAIRS.values()), ids=lambda pair: pair.name)
def test_pair(pair: Pair, workbench: Workbench, request: pytest.FixtureRequest) -> None:
    RUN.started = True
    try:
        verdict = check(pair, workbench)
    except (WorkerError, ResetBlocked, ServerLost) as error:
        # The workbench itself is broken (a crashed or hung worker, a server gone): no later
        # verdict is worth having, so stop after this pair with the one line that says what
        # happened; the verdicts so far and the summary are still printed.
        RUN.errors[pair.name] = f"{type(error).__name__}: {error}"
        request.session.shouldstop = f"workbench: pair {pair.name}: {error}"
        pytest.fail(f"workbench: pair {pair.name}: {error}", pytrace=False)
    except Exception as error:
        # A bug of the workbench on this pair: it has no verdict, and the summary says so.
        RUN.errors[pair.name] = f"{type(error).__name__}: {error}"
        raise
    RUN.verdicts.append(verdict)
    if not verdict.ok:
        detail = (counterexample_text(pair, verdict, rerun_command(pair.name))
                  if verdict.counterexample else f"{pair.name}: {verdict.status}")
        pytest.fail(detail, pytrace=False)
