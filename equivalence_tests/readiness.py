"""The migration path as a runtime matrix: where each function stands at each step of the guide.

    python3 run_nox.py -s readiness                       # every pair on every runtime
    python3 run_nox.py -s readiness -- --runtime legacy_on_20 --service library --examples 30

A runtime is a worker: a package (the code, legacy_14 or modern_20), a nox environment (the
SQLAlchemy: 1.4.54, 2.0, 2.1) and flags the worker applies before it imports any side code
(shared_schema/worker.py): future=True for every engine and session on 1.4, models and database
modules taken from another package. The code under test is never edited for a runtime. Each
runtime's worker is the candidate; the control, legacy_14 on plain 1.4.54, answers the same
calls on an identical database, and `check()` compares them (the pair's legacy function on the
legacy runtimes, its migrated one on the modern runtimes).

A cell is one of: equivalent (to the control), known divergence, divergent (with its shrunk
counterexample), error (what the runtime raised on import or call where the control did not),
not applicable (async code on a runtime without asyncio support), plus the warnings the
candidate's import and calls raised: category, first line, and the line of the side's own code
that triggered it. Fewer examples per cell than the main job (`--examples`, default 15).

Written to `<out>/readiness.json` (and `readiness.md`), shape (version 1):

    {"version": 2, "examples": 15, "seconds": 212.4,
     "runtimes": [{"name": "legacy_future", "title": ..., "explains": ..., "package":
                   "legacy_14", "environment": "legacy_14", "sqlalchemy": "1.4.54",
                   "flags": {"WORKBENCH_FUTURE": "1"}, "async": false, "compares": "legacy"}],
     "pairs": [{"name": ..., "service": ..., "legacy": "module:function", "modern": ...}],
     "cells": [{"pair": ..., "runtime": ..., "target": "module:function run as candidate",
                "state": "equivalent" | "known divergence" | "divergent" | "error" |
                         "not applicable" | "control nondeterministic" | "not comparable",
                "detail": "one line",
                "verdict": <check()'s verdict, as domain/verdict.py's verdict_json writes it:
                            its counterexample's dataset and arguments> | null,
                "counterexample": null | {"control": <outcome>, "candidate": <outcome>},
                "warnings": [{"category": ..., "bases": [...], "message": ..., "where":
                              "legacy_14/library.py:40" | null, "phase": "call" | "import"}],
                "deprecations": 3, "clean": true}],
     "guide": {"missed_by_filter": [...census records on 1.4 that are no RemovedIn20Warning],
               "silent": [{"where": "legacy_14/x.py:12", "pattern": ..., "guide": ...}]}}

`clean` is true when the cell is equivalent (or a known divergence) and, on a runtime whose
code is modern_20, no SQLAlchemy deprecation or legacy-API warning came from the candidate.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hypothesis import Phase

from equivalence_tests.domain.deprecation import is_deprecation
from equivalence_tests.domain.errors import WorkbenchError
from equivalence_tests.domain.pair import Pair
from equivalence_tests.domain.service import ROOT, Service
from equivalence_tests.domain.status import Status
from equivalence_tests.domain.verdict import Verdict, verdict_json
from equivalence_tests.harness.workbench import (
    Lab,
    Workbench,
    open_service,
    provision,
)
from equivalence_tests.harness.workers import Side, pinned_version
from equivalence_tests.runner import check, every_pair
from equivalence_tests.services import discover, functions

EXAMPLES = 15
PHASES = [Phase.explicit, Phase.generate, Phase.shrink]  # no example database, no `explain`
FUTURE = {"WORKBENCH_FUTURE": "1"}
ON_14 = {**FUTURE, "WORKBENCH_DATABASE_FROM": "legacy_14"}


@dataclass(frozen=True)
class Runtime:
    """One step of the migration path: which code runs on which SQLAlchemy, with which flags."""

    name: str
    title: str
    package: str  # the code: legacy_14 or modern_20
    environment: str  # the nox environment: legacy_14, modern_20, modern_21
    flags: dict[str, str] = field(default_factory=dict)
    explains: str = ""

    @property
    def compares(self) -> str:
        """Which of the pair's functions runs as the candidate."""
        return "legacy" if self.package == "legacy_14" else "modern"


RUNTIMES = (
    Runtime("control", "control", "legacy_14", "legacy_14", {},
            "legacy_14 on plain 1.4.54 (SQLALCHEMY_WARN_20=1), against a second control worker: "
            "what the service does today, and every warning it raises"),
    Runtime("legacy_future", "legacy, future", "legacy_14", "legacy_14", FUTURE,
            "legacy_14 on 1.4.54 with future=True on every engine and Session: does flipping "
            "the guide's flag alone break or change anything?"),
    Runtime("modern_on_14", "modern on 1.4", "modern_20", "legacy_14", ON_14,
            "modern_20 (its own models) on 1.4.54, future=True, engine and sessions from "
            "legacy_14/database.py: can the migrated code ship before the lockfile bump?"),
    Runtime("queries_first", "queries first", "modern_20", "legacy_14",
            {**ON_14, "WORKBENCH_MODELS_FROM": "legacy_14"},
            "modern_20's functions with legacy_14's models modules (declarative_base + Column) "
            "on 1.4.54, future=True: does the query migration alone hold on 1.4?"),
    Runtime("legacy_on_20", "legacy on 2.0", "legacy_14", "modern_20", {},
            "legacy_14 unchanged on the latest 2.0: what breaks outright, what silently changes"),
    Runtime("modern_20", "modern 2.0", "modern_20", "modern_20", {},
            "modern_20, sync and async, on the latest 2.0 (the target)"),
    Runtime("modern_21", "modern 2.1", "modern_20", "modern_21", {},
            "modern_20, sync and async, on the latest 2.1"),
)
BY_NAME = {runtime.name: runtime for runtime in RUNTIMES}

# What the guide says warns on 1.4 (/work/shared/migration-guide.txt), as calls found with `ast`
# in legacy_14/: one that raised no warning at all on the control is listed as silent.
GUIDE_CLAIMS = {
    "query": "session.query(): 'emits deprecation warnings when you enable them'",
    "Query.get": "Query.get(): 'RemovedIn20Warning: The Query.get() method is considered legacy'",
    "engine.execute": "engine.execute(): '1.4 ... emits RemovedIn20Warning for every deprecated "
                      "call site'",
    "string": "a bare SQL string to execute(): 'accepts only SQL expression constructs - not "
              "bare strings'",
}


def _envdir() -> Path:
    if os.environ.get("WORKBENCH_ENVDIR"):
        return Path(os.environ["WORKBENCH_ENVDIR"])
    legacy = os.environ.get("WORKBENCH_LEGACY_PYTHON")
    return Path(legacy).parents[2] if legacy else ROOT / ".nox"


def python_of(environment: str) -> str:
    return str(_envdir() / environment / "bin" / "python")


_ASYNC: dict[str, bool] = {}


def has_asyncio(environment: str) -> bool:
    """Whether the environment can run async code on PostgreSQL (asyncpg and greenlet)."""
    if environment not in _ASYNC:
        probe = subprocess.run([python_of(environment), "-c", "import asyncpg, greenlet"],
                               capture_output=True, check=False)
        _ASYNC[environment] = probe.returncode == 0
    return _ASYNC[environment]


def _is_async(target: str, package: str) -> bool:
    module, _, name = target.partition(":")
    if "." in module and module.split(".")[0] not in ("legacy_14", "modern_20"):
        path = ROOT / Path(*module.split(".")).with_suffix(".py")
        return bool(path.is_file() and re.search(rf"async\s+def\s+{name}\b", path.read_text()))
    found = functions(package, module.removeprefix(f"{package}."))
    return name in found and found[name].is_async


@dataclass
class Cell:
    pair: str
    runtime: str
    target: str
    state: str
    detail: str = ""
    verdict: dict[str, Any] | None = None  # verdict_json of the cell's run
    counterexample: dict[str, Any] | None = None  # the control's and the candidate's outcome
    warnings: list[dict[str, Any]] = field(default_factory=list)
    deprecations: int = 0
    clean: bool = False
    same_as: str | None = None  # the pair whose run this cell shares (same function, runtime)


def candidate_pair(pair: Pair, runtime: Runtime) -> Pair:
    """The pair as `check()` runs it on this runtime: control vs the candidate's function."""
    if runtime.compares == "legacy":
        return replace(pair, modern=pair.legacy, known=None, covers={})
    return replace(pair, covers={})


def cell_of(pair: Pair, runtime: Runtime, verdict: Verdict) -> Cell:
    target = candidate_pair(pair, runtime).modern
    cell = Cell(pair.name, runtime.name, target, "equivalent", verdict=verdict_json(verdict))
    status = verdict.status
    found = verdict.counterexample
    if status is Status.KNOWN_DIVERGENCE:
        cell.state, cell.detail = "known divergence", pair.known or ""
    elif status in (Status.DIVERGENT, Status.CONTROL_NONDETERMINISTIC) and found is not None:
        control, candidate = found.legacy.outcome, found.modern.outcome
        cell.counterexample = {"control": control, "candidate": candidate}
        raised = _raised(candidate)
        if status is Status.CONTROL_NONDETERMINISTIC:
            cell.state, cell.detail = status.value, ", ".join(found.what)
        elif raised and raised != _raised(control):
            cell.state = "error"
            message = re.sub(r" \((/|[A-Z]:\\)[^)]*\)", "", str(candidate.get("message", "")))
            cell.detail = (("on import: " if candidate.get("$import") else "")
                           + f"{raised}: {message}")[:240]
        else:
            cell.state = "divergent"
            cell.detail = (f"{', '.join(found.what)}: with {_short(found.arguments)} the control "
                           f"gave {_short(control)}, this runtime {_short(candidate)}")[:240]
    elif status is Status.NOT_COMPARABLE:
        cell.state, cell.detail = "not comparable", verdict.text
    elif status is Status.CANNOT_INFER:
        cell.state, cell.detail = "error", verdict.text
    elif status is not Status.EQUIVALENT:
        cell.detail = verdict.text  # incomplete / vacuous / known divergence not reproduced
    return cell


def _raised(outcome: Any) -> str:
    return str(outcome["$error"]) if isinstance(outcome, dict) and "$error" in outcome else ""


def _short(value: Any, limit: int = 70) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[:limit - 1] + "…"



def read_census(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def attach_warnings(cell: Cell, runtime: Runtime, census: list[dict[str, Any]]) -> None:
    """The candidate's warnings for this cell's function; whether they count against it."""
    seen = set()
    for record in census:
        if record["target"] != cell.target:
            continue
        key = (record["category"], record["message"], record["where"], record["phase"])
        if key in seen:
            continue
        seen.add(key)
        cell.warnings.append({k: record[k] for k in ("category", "bases", "message", "where",
                                                     "phase", "warned_at")})
    cell.deprecations = sum(is_deprecation([w["category"], *w["bases"]]) for w in cell.warnings)
    settled = cell.state in ("equivalent", "known divergence")
    counts = runtime.package == "modern_20" and not runtime.environment.startswith("legacy")
    cell.clean = settled and not (counts and cell.deprecations)


@contextlib.contextmanager
def open_runtime(lab: Lab, service: Service, runtime: Runtime,
                 census: tuple[Path, Path]) -> Iterator[Workbench]:
    """Two databases with the service's schema; the control worker and the runtime's worker."""
    control = Side("legacy_14", "legacy_14", python_of("legacy_14"),
                   (("WORKBENCH_CENSUS", str(census[0])),))
    flags = {**runtime.flags, "WORKBENCH_IMPORT_ERRORS": "1", "WORKBENCH_CENSUS": str(census[1])}
    candidate = Side(runtime.package, runtime.environment, python_of(runtime.environment),
                     tuple(sorted(flags.items())))
    with open_service(lab, service, (control, candidate),
                      (f"{runtime.name}_c", f"{runtime.name}_x")) as bench:
        yield bench


@dataclass
class Matrix:
    runtimes: list[Runtime]
    pairs: list[Pair]
    examples: int
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)  # runtime -> SQLAlchemy it ran
    census: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # runtime -> records
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def run(pairs: Sequence[Pair], runtimes: Sequence[Runtime], examples: int = EXAMPLES,
        lab: Lab | None = None, progress: bool = True) -> Matrix:
    """Every pair on every runtime, each cell from a run in that runtime's environment."""
    matrix = Matrix(list(runtimes), list(pairs), examples)
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        if lab is None:
            lab = stack.enter_context(provision())
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="readiness-")))
        services = discover()
        for runtime in runtimes:
            for service_name in dict.fromkeys(p.service for p in pairs):
                chosen = [p for p in pairs if p.service == service_name]
                _run_service(matrix, lab, services[service_name], runtime, chosen, scratch,
                             progress)
        matrix.notes += lab.notes
    matrix.seconds = time.perf_counter() - started
    return matrix


def _run_service(matrix: Matrix, lab: Lab, service: Service, runtime: Runtime,
                 pairs: list[Pair], scratch: Path, progress: bool) -> None:
    census = (scratch / f"{runtime.name}_{service.name}_control.jsonl",
              scratch / f"{runtime.name}_{service.name}_candidate.jsonl")
    todo: list[Pair] = []
    for pair in pairs:
        target = candidate_pair(pair, runtime).modern
        package = runtime.package
        if _is_async(target, package) and not has_asyncio(runtime.environment):
            matrix.cells[pair.name, runtime.name] = Cell(
                pair.name, runtime.name, target, "not applicable",
                f"async code; environment {runtime.environment} has no asyncio support "
                f"(asyncpg/greenlet)")
        else:
            todo.append(pair)
    if not todo:
        return
    ran: dict[str, str] = {}  # candidate function -> the pair whose run it was (legacy runtimes)
    try:
        with open_runtime(lab, service, runtime, census) as bench:
            matrix.versions[runtime.name] = str(bench.workers[1].hello.get("sqlalchemy"))
            for pair in todo:
                candidate = candidate_pair(pair, runtime)
                key = f"{candidate.legacy}|{candidate.modern}" if runtime.compares == "legacy" \
                    else pair.name
                if key in ran:
                    first = matrix.cells[ran[key], runtime.name]
                    matrix.cells[pair.name, runtime.name] = replace(
                        first, pair=pair.name, same_as=ran[key], warnings=list(first.warnings))
                    continue
                ran[key] = pair.name
                verdict = check(candidate, bench, max_examples=matrix.examples, database=None,
                                derandomize=True, phases=PHASES)
                cell = cell_of(pair, runtime, verdict)
                matrix.cells[pair.name, runtime.name] = cell
                if progress:
                    print(f"  {runtime.name:<14} {pair.name:<50} {cell.state}", file=sys.stderr,
                          flush=True)
    except WorkbenchError as error:
        for pair in todo:
            if (pair.name, runtime.name) not in matrix.cells:
                matrix.cells[pair.name, runtime.name] = Cell(
                    pair.name, runtime.name, candidate_pair(pair, runtime).modern, "error",
                    f"workbench: {type(error).__name__}: {error}"[:240])
    records = read_census(census[1])
    matrix.census.setdefault(runtime.name, []).extend(records)
    matrix.census.setdefault("control (every run)", []).extend(read_census(census[0]))
    for pair in todo:
        cell = matrix.cells[pair.name, runtime.name]
        cell.warnings = []
        attach_warnings(cell, runtime, records)


# ---------------------------------------------------------------------------- what the guide says


def guide_reality(matrix: Matrix) -> dict[str, list[dict[str, Any]]]:
    """Warnings 1.4 raises that the guide's RemovedIn20Warning filter misses, and call sites the
    guide says warn that raised nothing on the control."""
    missed: dict[tuple[str, str, str], dict[str, Any]] = {}
    for name in ("control", "legacy_future"):
        for record in matrix.census.get(name, []):
            if "RemovedIn20Warning" not in record["bases"]:
                key = (record["category"], str(record["where"]), record["message"])
                missed.setdefault(key, {**{k: record[k] for k in
                                           ("category", "where", "message", "target")},
                                        "runtime": name})
    silent: list[dict[str, Any]] = []
    if "control" in BY_NAME and any(r.name == "control" for r in matrix.runtimes):
        warned = {record["where"] for record in matrix.census.get("control", [])}
        ran = {matrix.cells[key].target.partition(":")[0].split(".")[-1]
               for key in matrix.cells if key[1] == "control"
               and matrix.cells[key].state != "not applicable"}
        for path in sorted((ROOT / "legacy_14").rglob("*.py")):
            if path.stem in ("__init__", "database") or path.stem not in ran:
                continue
            relative = str(path.relative_to(ROOT))
            lines = path.read_text().splitlines()
            for claim, first, last in guide_calls(path.read_text()):
                if not any(f"{relative}:{n}" in warned for n in range(first, last + 1)):
                    silent.append({"where": f"{relative}:{first}",
                                   "code": lines[first - 1].strip()[:100],
                                   "guide": GUIDE_CLAIMS[claim]})
    return {"missed_by_filter": sorted(missed.values(), key=lambda r: (r["category"],
                                                                        str(r["where"]))),
            "silent": silent}


def guide_calls(source: str) -> list[tuple[str, int, int]]:
    """Calls the guide says warn: (claim, first line, last line), innermost claim per call."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        attr, owner = node.func.attr, node.func.value
        claim = None
        if (attr == "get" and isinstance(owner, ast.Call) and isinstance(owner.func, ast.Attribute)
                and owner.func.attr == "query"):
            claim = "Query.get"
        elif attr == "query":
            claim = "query"
        elif attr == "execute" and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            claim = "string"
        elif attr == "execute" and isinstance(owner, ast.Name) and owner.id == "engine":
            claim = "engine.execute"
        if claim:
            found.append((claim, node.lineno, node.end_lineno or node.lineno))
    return sorted(found, key=lambda item: (item[1], item[0]))


# ---------------------------------------------------------------------------- output

SYMBOL = {"equivalent": "ok", "known divergence": "known", "divergent": "DIVERGENT",
          "error": "ERROR", "not applicable": "n/a", "control nondeterministic": "control?",
          "not comparable": "not comparable"}


def cell_text(cell: Cell | None) -> str:
    if cell is None:
        return "-"
    text = SYMBOL[cell.state]
    if cell.state == "error":
        text += f" {cell.detail.removeprefix('on import: ').split(':')[0]}"
    if cell.warnings:
        text += f" w{len(cell.warnings)}"
    if cell.state in ("equivalent", "known divergence") and not cell.clean:
        text += " (not clean)"
    return text


def to_json(matrix: Matrix) -> dict[str, Any]:
    return {
        "version": 2,
        "examples": matrix.examples,
        "seconds": round(matrix.seconds, 1),
        "runtimes": [{"name": r.name, "title": r.title, "explains": r.explains,
                      "package": r.package, "environment": r.environment,
                      "sqlalchemy": matrix.versions.get(r.name, pinned_version(r.environment)),
                      "flags": r.flags, "async": has_asyncio(r.environment),
                      "compares": r.compares} for r in matrix.runtimes],
        "pairs": [{"name": p.name, "service": p.service, "legacy": p.legacy, "modern": p.modern}
                  for p in matrix.pairs],
        "cells": [vars(matrix.cells[p.name, r.name]) for p in matrix.pairs
                  for r in matrix.runtimes if (p.name, r.name) in matrix.cells],
        "guide": guide_reality(matrix),
        "notes": matrix.notes,
    }


def table(matrix: Matrix, markdown: bool) -> str:
    heads = ["function", *(r.title for r in matrix.runtimes)]
    rows = [[p.name, *(cell_text(matrix.cells.get((p.name, r.name))) for r in matrix.runtimes)]
            for p in matrix.pairs]
    if markdown:
        lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in [heads, *rows]) for i in range(len(heads))]
    return "\n".join("  ".join(text.ljust(width) for text, width in zip(row, widths,
                                                                          strict=True)).rstrip()
                     for row in [heads, *rows])


def report(matrix: Matrix, markdown: bool = False) -> str:
    data = to_json(matrix)
    out: list[str] = []
    h = "## " if markdown else ""
    out.append(f"{h}Readiness: {len(matrix.pairs)} pairs x {len(matrix.runtimes)} runtimes, "
               f"{matrix.examples} examples per cell (the main job runs 100), "
               f"{matrix.seconds:.0f} s")
    out.append("")
    for r in data["runtimes"]:
        out.append(f"{'- ' if markdown else '  '}{r['title']} (SQLAlchemy {r['sqlalchemy']}): "
                   f"{r['explains']}")
    out.append("")
    out.append(table(matrix, markdown))
    out.append("")
    out.append("ok: equivalent to the control; known: a known divergence; wN: N distinct "
               "warnings (category, message, line); not clean: deprecation warnings from modern "
               "code on 2.x")
    details = [c for c in data["cells"] if c["state"] not in ("equivalent", "known divergence",
                                                             "not applicable") and not c["same_as"]]
    if details:
        out += ["", f"{h}Errors and divergences"]
        for c in details:
            out.append(f"{'- ' if markdown else '  '}{c['pair']} on {c['runtime']}: "
                       f"{c['state']}: {c['detail']}")
    out += ["", f"{h}Warnings census (file:line of the side's own code)"]
    for r in matrix.runtimes:
        sites: dict[tuple[str, str, str], set[str]] = {}
        for c in data["cells"]:
            if c["runtime"] != r.name:
                continue
            for w in c["warnings"]:
                where = w["where"] or f"(no side frame; raised in {w['warned_at']})"
                sites.setdefault((where, w["category"], w["message"][:110]), set()).add(
                    c["target"])
        if not sites:
            out.append(f"{'- ' if markdown else '  '}{r.title}: no warnings")
            continue
        out.append(f"{'- ' if markdown else '  '}{r.title}:")
        for (where, category, message), _targets in sorted(sites.items()):
            out.append(f"    {'- ' if markdown else ''}{where}: {category}: {message}")
    guide = data["guide"]
    out += ["", f"{h}Where 1.4 differs from the guide"]
    out.append("Raised on 1.4 but missed by the guide's filter (it filters RemovedIn20Warning "
               "only):")
    for record in guide["missed_by_filter"] or [{"category": "none", "where": "", "message": ""}]:
        out.append(f"    {'- ' if markdown else ''}{record['where']}: {record['category']}: "
                   f"{record['message'][:110]}")
    out.append("Call sites the guide says warn, silent on the 1.4 control (SQLALCHEMY_WARN_20=1):")
    for record in guide["silent"] or [{"where": "none", "code": "", "guide": ""}]:
        out.append(f"    {'- ' if markdown else ''}{record['where']}: {record['code']}  "
                   f"[{record['guide']}]")
    for note in matrix.notes:
        out.append(f"note: {note}")
    return "\n".join(out) + "\n"


def select_pairs(names: Sequence[str], services: Sequence[str]) -> list[Pair]:
    pairs, _unpaired = every_pair()
    pairs = sorted(pairs, key=lambda pair: pair.service != "demo")
    if names:
        unknown = set(names) - {p.name for p in pairs}
        if unknown:
            raise SystemExit(f"readiness: no pair named {', '.join(sorted(unknown))}")
        pairs = [p for p in pairs if p.name in names]
    if services:
        pairs = [p for p in pairs if p.service in services]
    return pairs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="readiness", description=__doc__.splitlines()[0])
    parser.add_argument("--runtime", action="append", default=[], choices=list(BY_NAME))
    parser.add_argument("--pair", action="append", default=[])
    parser.add_argument("--service", action="append", default=[])
    parser.add_argument("--examples", type=int, default=EXAMPLES)
    parser.add_argument("--out", default=str(ROOT / ".workbench"))
    options = parser.parse_args(argv)
    runtimes = [BY_NAME[name] for name in options.runtime] or list(RUNTIMES)
    pairs = select_pairs(options.pair, options.service)
    if not pairs:
        print("readiness: no pair selected", file=sys.stderr)
        return 2
    try:
        matrix = run(pairs, runtimes, options.examples)
    except WorkbenchError as error:
        print(f"readiness: {error}", file=sys.stderr)
        return 2
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "readiness.json").write_text(json.dumps(to_json(matrix), indent=1))
    (out / "readiness.md").write_text(report(matrix, markdown=True))
    print(report(matrix))
    print(f"written: {out / 'readiness.json'}, {out / 'readiness.md'}")
    harness = [c for c in matrix.cells.values() if c.detail.startswith("workbench:")]
    return 1 if harness else 0


if __name__ == "__main__":
    sys.exit(main())
