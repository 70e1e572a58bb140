"""The study file: one versioned JSON document both views read, and what they derive from it.

Shape (version 2):

    {"version": 2, "generated": "<ISO time>", "sqlalchemy": {"legacy": "1.4.54", "modern": ...},
     "pairs": {"<name>": {
        "name", "service", "legacy": "module:function", "modern": "module:function",
        "modern_async": bool, "fingerprint": "<sha256 of both sources, models, options>",
        "options": {"ordered_by", "writes", "loads", "commit", "covers", "rich"},
        "sources": {"legacy": [lines], "modern": [lines]},
        "status": "equivalent" | "known divergence" | "divergent" | ... | "harness error" |
                  "not run", "ok": bool,
        "known": "<why>" | null, "error": "<harness error>" | null,
        "verdict": <domain/verdict.py's verdict_json, as step writes it> | null,
        "examples": [{"case": "found" | "absent" | <covers label> | "counterexample",
                      "dataset": {table: [row]}, "arguments": {...},
                      "legacy": Side, "modern": Side}],
        "missing": [<cases no example reached>],
        "timing": {"legacy": {"median": s, "calls": n}, "modern": {...}},
        "counterexample": null | {<the verdict's counterexample>, "legacy": Side,
                                  "modern": Side, "legacy_again": Side | null, "diff": [lines]}}}}

    Side = {"outcome": <canonical>, "shown": [lines], "statements": n,
            "sql": [{"statement": str, "parameters": ..., "executemany": bool}],
            "warnings": [...], "seconds": s | null}

Values (datasets, arguments, outcomes) are in the workers' canonical JSON form.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from equivalence_tests.domain.pair import Pair
from equivalence_tests.domain.status import parse
from equivalence_tests.harness.source import function_source

VERSION = 2
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIR = ROOT / ".workbench"
JSON_NAME = "study.json"
HTML_NAME = "study.html"
# Where no runtime matrix has measured the pair yet (the cells say so rather than stay empty).
NO_READINESS = "not measured: no runtime matrix yet"

Study = dict[str, Any]


def study_dir() -> Path:
    return Path(os.environ.get("WORKBENCH_STUDY_DIR") or DEFAULT_DIR)


def readiness(name: str, directory: Path | None = None) -> str:
    """The pair's row of the runtime matrix (`python3 run_nox.py -s readiness` writes it
    beside the study), one cell per runtime: 'legacy_future: error (w1), ...'."""
    try:
        matrix = json.loads(((directory or study_dir()) / "readiness.json").read_text())
    except (OSError, ValueError):
        return NO_READINESS
    cells = [cell for cell in matrix.get("cells", []) if cell.get("pair") == name]
    if not cells:
        return NO_READINESS
    shown = []
    for cell in cells:
        warned = f" (w{len(cell.get('warnings') or [])})" if cell.get("warnings") else ""
        dirty = "" if cell.get("clean", True) or cell.get("state") != "equivalent" else ", warns"
        shown.append(f"{cell['runtime']}: {cell['state']}{dirty}{warned}")
    return "; ".join(shown)


def empty() -> Study:
    return {"version": VERSION, "generated": None, "sqlalchemy": {}, "pairs": {}}


def load(path: Path) -> Study:
    """The study at `path`; an empty one if it is missing or of another version."""
    try:
        study = json.loads(path.read_text())
    except (OSError, ValueError):
        return empty()
    if not isinstance(study, dict) or study.get("version") != VERSION:
        return empty()
    return study


def save(study: Study, path: Path) -> None:
    """Written whole then renamed: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(study, ensure_ascii=False, indent=1))
    partial.replace(path)


def service_of(pair: Pair) -> str:
    return str(getattr(pair, "service", "demo") or "demo")


def options(pair: Pair) -> dict[str, Any]:
    return {"ordered_by": pair.ordered_by, "writes": pair.writes, "loads": list(pair.loads),
            "commit": pair.commit, "covers": dict(pair.covers), "rich": list(pair.rich)}


def fingerprint(pair: Pair) -> str:
    """Changes when either function, either side's models or the pair's options change: an
    entry with another fingerprint describes code that no longer exists."""
    parts = [function_source(pair.legacy, "legacy_14"), function_source(pair.modern, "modern_20"),
             options(pair), pair.known, sorted(pair.args), VERSION]
    for side in ("legacy_14", "modern_20"):
        models = ROOT / side / "models.py"
        parts.append(models.read_text() if models.is_file() else "")
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def fresh(study: Study, pair: Pair) -> bool:
    entry = study.get("pairs", {}).get(pair.name)
    return bool(entry) and entry.get("fingerprint") == fingerprint(pair)


def verdict_group(status: str) -> str:
    """'incomplete: no example reached X' -> 'incomplete': what the filter offers."""
    try:
        return parse(status)[0].value
    except ValueError:  # a study written by another version of the workbench
        return "unknown"


def counts(study: Study) -> dict[str, int]:
    found: dict[str, int] = {}
    for entry in study["pairs"].values():
        group = verdict_group(entry["status"])
        found[group] = found.get(group, 0) + 1
    return dict(sorted(found.items(), key=lambda item: (-item[1], item[0])))


def _base(name: str) -> str:
    return name.split(" (")[0]


def _sibling(study: Study, entry: dict[str, Any], want_async: bool) -> dict[str, Any] | None:
    """Another pair of the same legacy function whose migration is sync (or async): the
    plain one ("get_user_invoices", "get_user_invoices (async)") before guide or naive ones."""
    candidates = [other for other in study["pairs"].values()
                  if other["legacy"] == entry["legacy"] and other["name"] != entry["name"]
                  and bool(other["modern_async"]) == want_async and other["timing"]]
    preferred = _base(entry["name"]) + (" (async)" if want_async else "")
    candidates.sort(key=lambda other: (other["name"] != preferred, not other["ok"],
                                       other["name"]))
    return candidates[0] if candidates else None


TIMING_COLUMNS = ("legacy 1.4", "modern sync", "modern async")


def timing_cells(study: Study, name: str) -> list[dict[str, Any]]:
    """Median seconds per call for legacy 1.4, modern sync and modern async, each with its
    ratio to legacy and the pair it was measured in; a missing one is None ('n/a')."""
    entry = study["pairs"][name]
    timing = entry.get("timing") or {}
    legacy = (timing.get("legacy") or {}).get("median")
    own = "modern async" if entry["modern_async"] else "modern sync"
    cells: dict[str, dict[str, Any]] = {
        "legacy 1.4": {"median": legacy, "calls": (timing.get("legacy") or {}).get("calls", 0),
                       "pair": name},
        own: {**(timing.get("modern") or {}), "pair": name},
    }
    other = "modern sync" if entry["modern_async"] else "modern async"
    sibling = _sibling(study, entry, want_async=other == "modern async")
    if sibling is not None:
        cells[other] = {**sibling["timing"]["modern"], "pair": sibling["name"]}
    out = []
    for column in TIMING_COLUMNS:
        cell = cells.get(column)
        median = cell.get("median") if cell else None
        ratio = (median / legacy if median is not None and legacy and column != "legacy 1.4"
                 else None)
        out.append({"column": column, "median": median,
                    "calls": cell.get("calls", 0) if cell else 0,
                    "pair": cell.get("pair") if cell else None, "ratio": ratio})
    return out


def milliseconds(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:.2f} ms"


def ratio_text(ratio: float | None) -> str:
    return "" if ratio is None else f"x{ratio:.2f}"


def statement_counts(example: dict[str, Any]) -> tuple[int, int]:
    return int(example["legacy"]["statements"]), int(example["modern"]["statements"])


def show(value: Any) -> str:
    from equivalence_tests.harness.report import show as canonical_show

    return canonical_show(value)


def arguments_text(arguments: dict[str, Any]) -> str:
    return ", ".join(f"{name}={show(value)}" for name, value in arguments.items()) or "none"


def dataset_lines(dataset: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Each row of a dataset on one line, 'table: column=value, ...' (empty tables left out)."""
    lines = [f"{table}: " + ", ".join(f"{column}={show(value)}" for column, value in row.items())
             for table, rows in dataset.items() for row in rows]
    return lines or ["(every table empty)"]


def parameters_text(parameters: Any) -> str:
    return "" if parameters in (None, {}, []) else show(parameters)
