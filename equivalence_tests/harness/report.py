"""What a person reads: one line per pair, and for a divergence the minimal case side by side."""

from __future__ import annotations

import difflib
import io
import json
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from equivalence_tests.domain.pair import Pair
from equivalence_tests.domain.run import Row, Run
from equivalence_tests.domain.status import parse
from equivalence_tests.domain.verdict import Counterexample, Verdict
from equivalence_tests.harness.compare import normalize
from equivalence_tests.harness.source import function_source

STYLE = {"equivalent": "green", "known divergence": "yellow"}


# What xdist workers attach to a pair's test report (`user_properties`), for the controller.
ROW_PROPERTY = "workbench_row"  # the pair's Row.wire()
ERROR_PROPERTY = "workbench_error"  # [pair name, the harness error it hit]
# The key of a worker's Run.wire() in its `workeroutput`, sent when the worker ends.
STATE_OUTPUT = "workbench_run"
PAIR_TEST = "::test_pair["  # in the node id of every pair's test


def pair_of(nodeid: str) -> str | None:
    """The pair a test's node id names (its parameter id: the pair's name), if it is a pair's."""
    if PAIR_TEST not in nodeid or not nodeid.endswith("]"):
        return None
    return nodeid[nodeid.index(PAIR_TEST) + len(PAIR_TEST):-1]


class Gather:
    """The xdist controller's side of the main job: one Run over every worker.

    The selection is what the workers collected (each collects the same); a pair's verdict or
    harness error comes with its test report as soon as it ends; a worker's notes, blockers and
    interrupt come with its end. A worker that ends without them (it crashed, or was killed) is
    `lost`, and a pair its crash cut short is a harness error: neither is ever safe to ship."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.ids: list[str] = []
        self.names: dict[str, str] = {}  # node id -> the pair's name, as its report said
        self.ended: set[str] = set()  # workers whose end was seen

    def collected(self, ids: Sequence[str]) -> None:
        if not self.ids:
            self.ids = [nodeid for nodeid in ids if pair_of(nodeid) is not None]
            self._settle()

    def report(self, nodeid: str, properties: Sequence[Sequence[Any]],
               crashed: str = "") -> None:
        """A pair's test report, from a worker (`crashed`: xdist's line when its worker died
        under it)."""
        for key, value in properties:
            if key == ROW_PROPERTY:
                row = Row.from_wire(value)
                self.names[nodeid] = row.name
                if all(seen.name != row.name for seen in self.run.rows):
                    self.run.rows.append(row)
            elif key == ERROR_PROPERTY:
                name, error = value
                self.names[nodeid] = name
                self.run.errors[name] = error
        if crashed and (name := self.names.get(nodeid, pair_of(nodeid))):
            self.run.errors.setdefault(name, crashed)
        self._settle()

    def node_down(self, worker: str, output: dict[str, Any] | None, error: object) -> None:
        """A worker ended: with its end-of-run state, or without (crashed, killed)."""
        if worker in self.ended:
            return  # xdist says so twice for an interrupted worker
        self.ended.add(worker)
        if output is not None and STATE_OUTPUT in output:
            self.run.absorb(output[STATE_OUTPUT])
        else:
            why = f"crashed ({error})" if error else "ended without reporting"
            self.run.lost.append(f"xdist worker {worker} {why}")

    def _settle(self) -> None:
        self.run.selected = [self.names.get(nodeid) or pair_of(nodeid) or nodeid
                             for nodeid in self.ids]


def render(renderable: Any, width: int = 140) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=width, force_terminal=False, color_system=None).print(renderable)
    return buffer.getvalue()


def verdict_table(verdicts: Sequence[Verdict | Row]) -> Table:
    table = Table(title="Pairs", show_lines=False, title_justify="left")
    for column in ("pair", "verdict", "examples (calls)", "paths exercised", "max SQL per call",
                   "warnings (legacy / modern)"):
        table.add_column(column, overflow="fold")
    for v in verdicts:
        row = v if isinstance(v, Row) else Row.of(v)
        status = Text(row.status, style=STYLE.get(row.status, "bold red"))
        # Text, not str: rich would read `Mapped[str]` in a label as markup and eat it.
        table.add_row(Text(row.name), status, f"{row.examples} ({row.calls})", Text(row.paths),
                      row.statements, Text(row.warnings))
    return table


def summary_line(run: Run) -> str:
    """The last line: every selected pair counted (verdict, harness error or not run)."""
    counts: dict[str, int] = {}
    for name in run.selected:
        status = parse(run.outcome(name))[0].value
        counts[status] = counts.get(status, 0) + 1
    parts = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    versions = sorted({f"SQLAlchemy {row.versions[0]} vs {row.versions[1]}"
                       for row in run.all_rows})
    why = []
    if run.lost:
        why += run.lost
    if run.interrupted:
        why.append(f"interrupted by {run.interrupted}")
    if run.teardown_failed:
        why.append("teardown failed (see the notes)")
    if run.blockers:
        why.append(f"{len(run.blockers)} blocker(s) above")
    verdict = "safe to ship" if run.safe else "NOT safe to ship"
    head = f"{len(run.selected)} pairs" + (f" ({', '.join(versions)})" if versions else "")
    tail = f" ({'; '.join(why)})" if why else ""
    return f"{head}: {parts}{tail} -> {verdict}"


def code_table(pair: Pair) -> Table:
    table = Table(show_lines=False, title="code", title_justify="left")
    table.add_column(Text(f"legacy_14  {pair.legacy}"), overflow="fold")
    table.add_column(Text(f"modern_20  {pair.modern}"), overflow="fold")
    table.add_row(Text("\n".join(function_source(pair.legacy, "legacy_14"))),
                  Text("\n".join(function_source(pair.modern, "modern_20"))))
    return table


def show(value: Any) -> str:
    """Canonical JSON back to something close to Python's repr, for people."""
    if isinstance(value, dict):
        if "$decimal" in value:
            return f"Decimal('{value['$decimal']}')"
        if "$float" in value:
            return str(value["$float"])
        if "$datetime" in value:
            return str(value["$datetime"])
        if "$error" in value:
            state = f" [SQLSTATE {value['sqlstate']}]" if value.get("sqlstate") else ""
            return f"raised {value['$error']}{state}: {value.get('message', '')}"
        if "$entity" in value:
            cols = ", ".join(f"{k}={show(v)}" for k, v in value["columns"].items())
            loaded = "".join(f", {k}={show(v)}" for k, v in value.get("loaded", {}).items())
            return f"{value['$entity']}({cols}{loaded})"
        if "$row" in value:
            return "Row(" + ", ".join(f"{k}={show(v)}" for k, v in value["$row"]) + ")"
        if "$tuple" in value:
            return "(" + ", ".join(show(v) for v in value["$tuple"]) + ")"
        if "$mapping" in value:
            return "RowMapping(" + ", ".join(f"{k}: {show(v)}" for k, v in value["$mapping"]) + ")"
        if "$rowcount" in value:
            return f"result returning no rows, rowcount={value['$rowcount']!r}"
        for tag, kind in (("$result", "result"), ("$async_result", "async result"),
                          ("$iterator", "iterator"), ("$set", "set")):
            if tag in value:
                count = f", rowcount={value['rowcount']!r}" if "rowcount" in value else ""
                return f"{kind} of [{', '.join(show(v) for v in value[tag])}]{count}"
        if "$not_comparable" in value:
            return f"a {value['$not_comparable']} (no canonical form: not comparable)"
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return repr(value)


def _lines(value: Any) -> list[str]:
    if isinstance(value, list):
        return [show(v) for v in value] or ["[] (empty list)"]
    return [show(value)]


def _dataset_lines(found: Counterexample) -> list[str]:
    lines = []
    for table, rows in found.dataset.items():
        for row in rows:
            cells = ", ".join(f"{k}={v.isoformat() if hasattr(v, 'isoformat') else repr(v)}"
                              for k, v in row.items())
            lines.append(f"  {table}: {cells}")
    return lines or ["  (every table empty)"]


def counterexample_text(pair: Pair, verdict: Verdict, rerun: str) -> str:
    found = verdict.counterexample
    assert found is not None
    out = [f"{pair.name}: {verdict.text} ({', '.join(found.what)})"]
    if pair.known:
        out.append(f"  known because: {pair.known}")
    if found.control_nondeterministic:
        out.append("  the legacy function answered the same input differently twice, so this "
                   "is not blamed on the migration; fix the control (an ORDER BY?) first")
    out.append(f"  legacy: {pair.legacy}   modern: {pair.modern}")
    out.append("minimal dataset:")
    out += _dataset_lines(found)
    arguments = ", ".join(f"{k}={v!r}" for k, v in found.arguments.items())
    out.append(f"arguments: {arguments or 'none'}")
    for before in found.before:  # the difference needs the calls made before it to show
        earlier = ", ".join(f"{k}={v!r}" for k, v in before.items())
        out.append(f"  after a call on the same dataset with: {earlier or 'no arguments'}")
    legacy, modern = verdict.versions
    second = ("legacy_14 again", found.legacy_again) if found.legacy_again else (
        f"modern (SQLAlchemy {modern})", found.modern)
    table = Table(show_lines=True)
    table.add_column("")
    table.add_column(f"legacy (SQLAlchemy {legacy})", overflow="fold")
    table.add_column(second[0], overflow="fold")
    other = second[1]
    assert other is not None
    table.add_row("result", Text("\n".join(_lines(found.legacy.outcome))),
                  Text("\n".join(_lines(other.outcome))))
    table.add_row(f"SQL ({len(found.legacy.sql)} / {len(other.sql)} statements)",
                  Text("\n".join(found.legacy.sql)), Text("\n".join(other.sql)))
    table.add_row("warnings", Text("\n".join(found.legacy.warnings) or "-"),
                  Text("\n".join(other.warnings) or "-"))
    out.append(render(code_table(pair)).rstrip())
    out.append(render(table).rstrip())
    diff = outcome_diff(pair, found)
    if diff:
        out.append("difference (canonical form, after order normalization):")
        out += diff
    out.append(f"rerun just this pair: {rerun}")
    return "\n".join(out)


def outcome_diff(pair: Pair, found: Counterexample) -> list[str]:
    def dump(value: Any) -> list[str]:
        return json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False).splitlines()

    other = found.legacy_again or found.modern
    parts = [("return value", normalize(pair, found.legacy.outcome),
              normalize(pair, other.outcome))]
    if found.legacy.state is not None and other.state is not None:
        parts += [(f"table {t}", found.legacy.state[t], other.state[t]) for t in found.legacy.state]
    lines = []
    for label, a, b in parts:
        if label in found.what:
            lines += list(difflib.unified_diff(dump(a), dump(b), f"legacy {label}",
                                               f"modern {label}", n=2, lineterm=""))
    return lines
