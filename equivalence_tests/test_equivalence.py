"""The main job: every pair (registered, or found by module and name in a service) must behave
the same on SQLAlchemy 1.4 and 2.x."""

import pytest

from equivalence_tests.conftest import RUN, record_error, record_verdict, rerun_command
from equivalence_tests.domain.errors import SchemaError, WorkbenchError
from equivalence_tests.domain.pair import Pair
from equivalence_tests.harness.report import counterexample_text
from equivalence_tests.runner import Workbenches, check, every_pair

PAIRS, UNPAIRED = every_pair()
RUN.unpaired = UNPAIRED
# Service by service: each service's workbench is opened once, then stopped. Under xdist
# (`-n N`, `--dist load`) each worker gets consecutive runs of this order.
ORDERED = sorted(PAIRS, key=lambda pair: (pair.service != "demo", pair.service))


@pytest.mark.parametrize("pair", ORDERED, ids=lambda pair: pair.name)
def test_pair(pair: Pair, services: Workbenches, request: pytest.FixtureRequest) -> None:
    RUN.started = True
    try:
        verdict = check(pair, services.bench(pair.service))
    except SchemaError as error:  # that service cannot run; the others still can
        record_error(request, pair.name, error)
        pytest.fail(f"workbench: pair {pair.name}: {error}", pytrace=False)
    except WorkbenchError as error:
        # The workbench itself is broken (a crashed or hung worker, a server gone): no later
        # verdict is worth having, so stop after this pair with the one line that says what
        # happened; the verdicts so far and the summary are still printed.
        record_error(request, pair.name, error)
        request.session.shouldstop = f"workbench: pair {pair.name}: {error}"
        pytest.fail(f"workbench: pair {pair.name}: {error}", pytrace=False)
    except Exception as error:
        # A bug of the workbench on this pair: it has no verdict, and the summary says so.
        record_error(request, pair.name, error)
        raise
    record_verdict(request, verdict)
    if not verdict.ok:
        detail = (counterexample_text(pair, verdict, rerun_command(pair.name))
                  if verdict.counterexample else f"{pair.name}: {verdict.text}")
        pytest.fail(detail, pytrace=False)
