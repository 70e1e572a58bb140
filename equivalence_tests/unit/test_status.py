"""A verdict's text parses back into the status and detail it was made of, for every status."""

from __future__ import annotations

import pytest

from equivalence_tests.domain.status import Status, is_ok, parse, text


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("detail", ["", "no example reached a savepoint", "a: b: c"])
def test_every_text_parses_back(status: Status, detail: str) -> None:
    assert parse(text(status, detail)) == (status, detail)


def test_the_longer_status_wins_over_its_prefix() -> None:
    assert parse("known divergence not reproduced") == (Status.NOT_REPRODUCED, "")
    assert parse("known divergence") == (Status.KNOWN_DIVERGENCE, "")


def test_only_equivalent_and_known_divergence_can_ship() -> None:
    assert {status for status in Status if status.ok} == {Status.EQUIVALENT,
                                                          Status.KNOWN_DIVERGENCE}
    assert not is_ok("vacuous: every call raised on both sides: DataError")


def test_a_text_that_is_no_verdict_is_refused() -> None:
    with pytest.raises(ValueError, match="not a verdict"):
        parse("equivalentish")
