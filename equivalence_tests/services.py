"""Services: a module (or package) name on both sides, with the schema its functions run on.

A service is `legacy_14/<name>.py` (or `legacy_14/<name>/`) and `modern_20/<name>.py` (or a
package). Its schema is `shared_schema/<name>.sql`; where there is none, the DDL of its legacy
models' metadata, emitted by the 1.4 worker (so that neither side's new ORM decides what the
tables look like). Every public function defined under the same module and name on both sides
is a pair; what cannot pair (one side only, another signature) is listed with the reason.

The driver never imports side code: functions and signatures are read with `ast`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from equivalence_tests.domain.service import ROOT, Service, Unpaired

SIDES = ("legacy_14", "modern_20")
NOT_SERVICES = {"__init__", "database", "models"}  # a side's own plumbing
# The demo service (the guide's patterns on shared_schema/schema.sql): the workbench's own code,
# which its lint and mypy check. A user's services are checked by `step` instead.
DEMO_MODULES = ("repositories", "invoices", "relations", "orders", "tasks", "bulk",
                "engine_level", "async_repositories", "guide", "naive", "async_naive")


def workbench_paths(root: Path = ROOT, *, side: str | None = None) -> list[str]:
    """The workbench's own Python files and folders (relative to `root`): the driver, the
    version-neutral code, and each side's plumbing and demo modules; with `side`, only that
    side's."""
    sides = (side,) if side else SIDES
    paths = [] if side else ["equivalence_tests", "shared_schema", "noxfile.py", "run_nox.py"]
    for name in sides:
        for module in ("__init__", *sorted(NOT_SERVICES - {"__init__"}), *DEMO_MODULES):
            if (root / name / f"{module}.py").is_file():
                paths.append(f"{name}/{module}.py")
    return paths


@dataclass(frozen=True)
class Signature:
    """What the driver knows of a function without importing it."""

    module: str
    name: str
    params: tuple[str, ...]
    annotations: dict[str, str] = field(default_factory=dict)  # parameter -> its text
    defaults: frozenset[str] = frozenset()  # parameters that have a default
    is_async: bool = False
    line: int = 0


DECLARED: dict[str, Service] = {}
# Per service, per "table.column": a pool (list/tuple/set), a range, a `Between(low, high)` or a
# Hypothesis strategy that replaces what the schema alone would give (equivalence_tests/schema).
HINTS: dict[str, dict[str, Any]] = {}


def hint(service_name: str, column: str, values: Any) -> None:
    """Override the derived values of one column ("table.column") of a service, in pairs.py:
    `hint("library", "books.title", ["Dune", "Emma"])`. Never required: for realism only."""
    HINTS.setdefault(service_name, {})[column] = values


def service(name: str, *, modules: tuple[str, ...], schema: str | None = None,
            models: str | None = None, database: str = "database") -> Service:
    """Declare a service whose modules share one schema (the demo's, say): pairs.py."""
    declared = Service(name, modules, ROOT / "shared_schema" / schema if schema else None,
                       models, database, declared=True)
    DECLARED[name] = declared
    return declared


def _module_path(side: str, module: str) -> Path | None:
    base = ROOT / side / Path(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def discover(root: Path = ROOT) -> dict[str, Service]:
    """Every service: those declared, and each other top-level module or package of
    legacy_14/ (a package's modules are its submodules, but not `database`/`models`)."""
    services = dict(DECLARED)
    claimed = {module.split(".")[0] for s in DECLARED.values() for module in s.modules}
    for entry in sorted((root / "legacy_14").iterdir()):
        name = entry.stem if entry.suffix == ".py" else entry.name
        if (name in NOT_SERVICES or name in claimed or name.startswith(("_", "."))
                or not (entry.suffix == ".py" or (entry / "__init__.py").is_file())):
            continue
        schema = root / "shared_schema" / f"{name}.sql"
        if entry.is_dir():
            modules = tuple(sorted(f"{name}.{p.stem}" for p in entry.glob("*.py")
                                   if p.stem not in NOT_SERVICES))
            models = f"legacy_14.{name}.models"
            database = f"{name}.database" if (entry / "database.py").is_file() else "database"
        else:
            modules, models, database = (name,), f"legacy_14.{name}", "database"
        services[name] = Service(name, modules, schema if schema.is_file() else None,
                                 models, database)
    return {name: replace(svc, hints=dict(HINTS.get(name, {}))) for name, svc in services.items()}



def functions(side: str, module: str) -> dict[str, Signature]:
    """Public functions defined (not imported) in `side`'s module, by name."""
    path = _module_path(side, module)
    if path is None:
        return {}
    found = {}
    for node in ast.parse(path.read_text()).body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if node.name.startswith("_"):
            continue
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        params = tuple(a.arg for a in [*positional, *args.kwonlyargs])
        with_default = [a.arg for a in positional[len(positional) - len(args.defaults):]]
        with_default += [a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
                         if d is not None]
        annotations = {a.arg: ast.unparse(a.annotation)
                       for a in [*positional, *args.kwonlyargs] if a.annotation is not None}
        found[node.name] = Signature(module, node.name, params, annotations,
                                     frozenset(with_default),
                                     isinstance(node, ast.AsyncFunctionDef), node.lineno)
    return found


def pairing(svc: Service) -> tuple[list[tuple[Signature, Signature]], list[Unpaired]]:
    """The functions of a service that pair up by module and name, and those that do not."""
    paired: list[tuple[Signature, Signature]] = []
    unpaired: list[Unpaired] = []
    for module in svc.modules:
        legacy, modern = functions("legacy_14", module), functions("modern_20", module)
        for name in sorted(legacy.keys() | modern.keys()):
            target = f"{module}:{name}"
            if name not in modern:
                unpaired.append(Unpaired(svc.name, target, "only in legacy_14"))
            elif name not in legacy:
                unpaired.append(Unpaired(svc.name, target, "only in modern_20"))
            elif legacy[name].params != modern[name].params:
                unpaired.append(Unpaired(
                    svc.name, target, f"signatures differ: ({', '.join(legacy[name].params)}) "
                    f"vs ({', '.join(modern[name].params)})"))
            else:
                paired.append((legacy[name], modern[name]))
    return paired, unpaired


def service_of(target: str, services: dict[str, Service]) -> Service | None:
    """The service a 'module:function' target belongs to."""
    module = target.partition(":")[0]
    for svc in services.values():
        if module in svc.modules:
            return svc
    return None
