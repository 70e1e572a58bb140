"""`python3 run_nox.py -s step -- SERVICE [--json PATH]`: is this step of a service safe to ship?

For one service (or several) it runs every pair, compares each side's models with the schema
(drift), runs `mypy --strict` on the service's modern module, and collects the warnings the
modern side raised. Any divergence, harness error, function that cannot be compared, blocking
drift, mypy error or SQLAlchemy deprecation/legacy warning on the modern side is a blocker.
It prints the verdict, writes it as JSON (shape: `STEP_JSON` below), and exits 1 when the step
is not safe, so a CI job can gate on it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from equivalence_tests.domain.deprecation import is_deprecation
from equivalence_tests.domain.errors import WorkbenchError
from equivalence_tests.domain.run import Run
from equivalence_tests.domain.service import ROOT, Service, Unpaired
from equivalence_tests.domain.verdict import Verdict, verdict_json
from equivalence_tests.harness.drift import drift_lines
from equivalence_tests.harness.report import counterexample_text, render, verdict_table
from equivalence_tests.harness.workbench import Workbench, provision
from equivalence_tests.runner import Drift, Workbenches, check, every_pair
from equivalence_tests.services import discover

VERSION = 1
STEP_JSON = """{
  "version": 1,
  "services": [{
    "service": "library", "safe": false, "kind": "read-only" | "writing",
    "sqlalchemy": {"legacy": "1.4.54", "modern": "2.0.58"},
    "functions": [<one verdict each, as domain/verdict.py's verdict_json writes it:>
                  {"pair": "library.retire", "service": "library",
                   "legacy": "library:retire", "modern": "library:retire",
                   "verdict": "divergent", "status": "divergent", "detail": "", "ok": false,
                   "versions": ["1.4.54", "2.0.58"], "examples": 12, "calls": 25, "wrote": 9,
                   "covered": {"<path>": 3}, "statements": [2, 1],
                   "warnings": {"legacy": ["LegacyAPIWarning"], "modern": []}, "leaked": [],
                   "counterexample": {"what": ["table books"], "dataset": {...},
                                      "arguments": {...}, "calls_before": [{...}, ...],
                                      "control_nondeterministic": false} | null}],
    "not_compared": [{"function": "library:only_here", "reason": "only in legacy_14"}],
    "drift": [{"side": "modern_20", "kind": "modify_type", "table": "books",
               "column": "title", "models": "VARCHAR(100)", "database": "VARCHAR(200)",
               "info": false, "note": "..."}],
    "mypy": {"ran": true, "ok": true, "output": ["..."]},
    "blockers": ["library.retire: divergent (table books)", "..."]
  }],
  "safe": false
}"""


def modern_paths(service: Service) -> list[str]:
    paths = []
    for module in service.modules:
        base = Path("modern_20", *module.split("."))
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if (ROOT / candidate).is_file():
                paths.append(str(candidate))
    return paths


def run_mypy(service: Service) -> dict[str, Any]:
    mypy = os.environ.get("WORKBENCH_MYPY", "")
    paths = modern_paths(service)
    if not mypy or not Path(mypy).exists():
        return {"ran": False, "ok": False,
                "output": ["mypy not available: run this through `python3 run_nox.py -s step`"]}
    done = subprocess.run([mypy, "--strict", "--no-error-summary", *paths], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    output = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    return {"ran": True, "ok": done.returncode == 0, "output": output}



def step(bench: Workbench, service: Service, unpaired: list[Unpaired], drift: Drift,
         ) -> dict[str, Any]:
    """Everything `step` says about one service, as the JSON holds it."""
    pairs = [p for p in every_pair()[0] if p.service == service.name]
    verdicts = [check(pair, bench) for pair in pairs]
    mypy = run_mypy(service)
    refused = bench.refusals.lines(bench.catalog)
    blocking = [f"{u.target}: not compared ({u.reason})" for u in unpaired]
    blocking += drift.blockers
    for v in verdicts:
        warned = [w for w in sorted(v.tally.warnings[1]) if is_deprecation([w])]
        if warned:
            blocking.append(f"{v.pair.name}: the modern side raised {', '.join(warned)}")
    if not mypy["ok"]:
        blocking.append(f"mypy --strict on {', '.join(modern_paths(service))}: "
                        + (mypy["output"][-1] if mypy["output"] else "failed"))
    if not pairs:
        blocking.append(f"service {service.name} has no function on both sides to compare")
    # The main job's rule (report.Run.safe), with what only `step` checks as blockers.
    run = Run(selected=[p.name for p in pairs], verdicts=verdicts, blockers=blocking)
    legacy_version, modern_version = bench.versions
    return {
        "service": service.name, "safe": run.safe,
        "kind": "writing" if any(v.tally.wrote for v in verdicts) else "read-only",
        "sqlalchemy": {"legacy": legacy_version, "modern": modern_version},
        "functions": [verdict_json(v) for v in verdicts],
        "not_compared": [{"function": u.target, "reason": u.reason} for u in unpaired],
        "drift": drift.differences, "mypy": mypy,
        "blockers": [f"{v.pair.name}: {v.text}" for v in verdicts if not v.ok] + blocking,
        "refused_rows": refused,
        "_verdicts": verdicts,
    }


def _drift_lines(drift: list[dict[str, Any]]) -> list[str]:
    return [line for side in ("legacy_14", "modern_20")
            for line in drift_lines(side, [d for d in drift if d["side"] == side])]


def show(result: dict[str, Any]) -> str:
    """What a person reads: the verdicts, counterexamples, drift, mypy, then the verdict."""
    verdicts: list[Verdict] = result["_verdicts"]
    out = [f"service {result['service']} ({result['kind']}; SQLAlchemy "
           f"{result['sqlalchemy']['legacy']} vs {result['sqlalchemy']['modern']})"]
    for verdict in verdicts:
        if verdict.counterexample is not None:
            out.append(counterexample_text(
                verdict.pair, verdict,
                f"python3 run_nox.py -s step -- {result['service']}"))
    if verdicts:
        out.append(render(verdict_table(verdicts), width=120).rstrip())
    out += [f"not compared: {u['function']} ({u['reason']})" for u in result["not_compared"]]
    drift = result["drift"]
    out += _drift_lines(drift) or ["drift: none between either side's models and the schema"]
    out += [f"rows the database refused: {line}" for line in result["refused_rows"]]
    mypy = result["mypy"]
    out.append("mypy --strict: " + ("passes" if mypy["ok"] else "FAILS"))
    out += [f"  {line}" for line in mypy["output"] if not mypy["ok"]][:20]
    if result["safe"]:
        out.append(f"{result['service']}: safe to ship")
    else:
        out.append(f"{result['service']}: NOT safe to ship, because:")
        out += [f"  - {blocker}" for blocker in result["blockers"]]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="step", description=__doc__.splitlines()[0])
    parser.add_argument("services", nargs="+", metavar="SERVICE")
    parser.add_argument("--json", type=Path, metavar="PATH",
                        help="also write the verdict as JSON here")
    options = parser.parse_args(argv)
    _, unpaired = every_pair()
    known = discover()
    strangers = [name for name in options.services if name not in known]
    if strangers:
        print(f"step: unknown service {', '.join(strangers)}; services: "
              f"{', '.join(sorted(known))}", file=sys.stderr)
        return 4
    results = []
    try:
        with provision() as lab:
            benches = Workbenches(lab)
            try:
                for name in options.services:
                    bench = benches.bench(name)
                    result = step(bench, known[name], [u for u in unpaired if u.service == name],
                                  benches.drifts[name])
                    print(show(result), flush=True)
                    results.append(result)
            finally:
                benches.close()
    except WorkbenchError as error:
        print(f"step: {error}; NOT safe to ship", file=sys.stderr)
        return 3
    safe = all(result["safe"] for result in results)
    if options.json:
        payload = {"version": VERSION, "safe": safe,
                   "services": [{k: v for k, v in r.items() if not k.startswith("_")}
                                for r in results]}
        options.json.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
        print(f"step: wrote {options.json}")
    print("step: " + ("safe to ship" if safe else "NOT safe to ship"))
    return 0 if safe else 1


if __name__ == "__main__":
    sys.exit(main())
