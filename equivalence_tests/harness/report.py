"""What a person reads: one line per pair, and for a divergence the minimal case side by side."""

from __future__ import annotations

import ast
import difflib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from equivalence_tests.harness.check import Counterexample, Verdict
from equivalence_tests.harness.compare import normalize
from equivalence_tests.registry import Pair
from equivalence_tests.services import Unpaired

STYLE = {"equivalent": "green", "known divergence": "yellow"}
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Run:
    """One run of the main job: the pairs selected, and what became of each of them."""

    selected: list[str] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # pair -> the harness error it hit
    notes: list[str] = field(default_factory=list)
    started: bool = False
    interrupted: str = ""  # the signal that ended the run early, if one did
    teardown_failed: bool = False
    unpaired: list[Unpaired] = field(default_factory=list)  # functions that cannot be compared
    blockers: list[str] = field(default_factory=list)  # e.g. models that drifted from the schema

    def outcome(self, name: str) -> str:
        """A selected pair's verdict, or why it has none."""
        for verdict in self.verdicts:
            if verdict.pair.name == name:
                return verdict.status
        return "harness error" if name in self.errors else "not run"

    @property
    def safe(self) -> bool:
        """Safe to ship only if every selected pair has an ok verdict and nothing broke."""
        ok = {v.pair.name for v in self.verdicts if v.ok}
        return (bool(self.selected) and all(name in ok for name in self.selected)
                and not self.errors and not self.interrupted and not self.teardown_failed
                and not self.blockers)


def render(renderable: Any, width: int = 140) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=width, force_terminal=False, color_system=None).print(renderable)
    return buffer.getvalue()


def verdict_table(verdicts: Sequence[Verdict]) -> Table:
    table = Table(title="Pairs", show_lines=False, title_justify="left")
    for column in ("pair", "verdict", "examples", "paths exercised", "max SQL per call",
                   "warnings (legacy / modern)"):
        table.add_column(column, overflow="fold")
    for v in verdicts:
        status = Text(v.status, style=STYLE.get(v.status, "bold red"))
        paths = ", ".join(f"{label}: {hits}" for label, hits in v.covered.items()) or "-"
        warned = " / ".join(", ".join(sorted(w)) or "-" for w in v.tally.warnings)
        if v.tally.leaked:
            warned += f"; {', '.join(v.tally.leaked)} left a transaction open"
        # Text, not str: rich would read `Mapped[str]` in a label as markup and eat it.
        table.add_row(Text(v.pair.name), status, str(v.examples), Text(paths),
                      f"{v.tally.statements[0]} / {v.tally.statements[1]}", Text(warned))
    return table


def summary_line(run: Run) -> str:
    """The last line: every selected pair counted (verdict, harness error or not run)."""
    counts: dict[str, int] = {}
    for name in run.selected:
        status = run.outcome(name).split(":")[0]
        counts[status] = counts.get(status, 0) + 1
    parts = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    versions = sorted({f"SQLAlchemy {v.versions[0]} vs {v.versions[1]}" for v in run.verdicts})
    why = []
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


def function_source(target: str, package: str) -> list[str]:
    """The source of a pair's function, read from its file (the driver imports no side code)."""
    module, _, name = target.partition(":")
    dotted = module if "." in module else f"{package}.{module}"
    path = ROOT.joinpath(*dotted.split(".")).with_suffix(".py")
    try:
        source = path.read_text()
    except OSError:
        return [f"(no file {path.relative_to(ROOT)})"]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            return (ast.get_source_segment(source, node, padded=True) or "").splitlines()
    return [f"(no function {name} in {path.relative_to(ROOT)})"]


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
    out = [f"{pair.name}: {verdict.status} ({', '.join(found.what)})"]
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
    diff = _outcome_diff(pair, found)
    if diff:
        out.append("difference (canonical form, after order normalization):")
        out += diff
    out.append(f"rerun just this pair: {rerun}")
    return "\n".join(out)


def _outcome_diff(pair: Pair, found: Counterexample) -> list[str]:
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
