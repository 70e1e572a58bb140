"""The wire format and the values both processes agree on."""

import datetime as dt
import io
from decimal import Decimal

import pytest

from shared_schema import protocol
from shared_schema.values import decode, encode, plain


def test_messages_round_trip_one_per_line():
    stream = io.StringIO()
    protocol.send(stream, {"op": "call", "args": {"name": "é\nx"}})
    assert stream.getvalue().count("\n") == 1
    assert protocol.parse(stream.getvalue()) == {"op": "call", "args": {"name": "é\nx"}}


def test_a_line_without_an_op_is_refused():
    with pytest.raises(ValueError):
        protocol.parse('{"no": "op"}')


def test_targets_resolve_relative_to_the_side_unless_dotted():
    assert protocol.split_target("repositories:f", "legacy_14") == ("legacy_14.repositories", "f")
    assert protocol.split_target("pkg.mod:f", "legacy_14") == ("pkg.mod", "f")
    with pytest.raises(ValueError):
        protocol.split_target("no_function", "legacy_14")


def test_aware_datetimes_become_utc_and_naive_ones_stay_marked_naive():
    kolkata = dt.timezone(dt.timedelta(hours=5, minutes=30))
    instant = dt.datetime(2024, 1, 1, 5, 30, tzinfo=kolkata)
    assert plain(instant) == plain(instant.astimezone(dt.UTC))
    assert plain(instant.replace(tzinfo=None)) != plain(instant)


def test_arguments_decode_back_to_python_values():
    assert decode({"price": {"$decimal": "9.99"}}) == {"price": Decimal("9.99")}
    assert decode([plain(1.5)]) == [1.5]


def test_a_json_column_value_in_its_psycopg2_wrapper_encodes_as_its_value():
    """Datasets hold json values as psycopg2 `Json`: a counterexample holding one is written
    as that value (step, the study), never refused nor turned into its repr."""
    from psycopg2.extras import Json

    assert encode({"t": [{"details": Json({"a": [1, 2.5]})}]}) == {
        "t": [{"details": {"$dict": [["a", [1, {"$float": "2.5"}]]]}}]}
    assert encode([Json(None)]) == [None]
