"""`nox -s bench -- --profile`: where the time goes, in the driver and in each side's worker.

The driver is profiled around the harness's runs only; each worker profiles its whole life
when WORKBENCH_WORKER_PROFILE names a directory (shared_schema/worker.py writes its stats
there when it quits), so the figures are read once the workbench is closed.
"""

from __future__ import annotations

import contextlib
import cProfile
import os
import pstats
import tempfile
from collections.abc import Iterator
from pathlib import Path

from rich.console import Console
from rich.table import Table

from shared_schema.protocol import PROFILE_VAR

SHOWN = 15
OURS = ("equivalence_tests", "shared_schema")


class Profiles:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.profile = cProfile.Profile()

    @contextlib.contextmanager
    def driver(self) -> Iterator[None]:
        self.profile.enable()
        try:
            yield
        finally:
            self.profile.disable()

    def show(self, console: Console) -> None:
        driver = pstats.Stats(self.profile)
        console.print(top("driver (check(), Hypothesis, protocol, compare)", driver))
        console.print(top("driver, the workbench's own functions with what they call", driver,
                          own_code=True))
        for side in ("legacy_14", "modern_20"):
            files = sorted(str(path) for path in self.directory.glob(f"{side}-*.pstats"))
            if files:
                console.print(top(f"{side} worker ({len(files)} process(es))",
                                  pstats.Stats(*files)))


def top(title: str, stats: pstats.Stats, own_code: bool = False) -> Table:
    """The functions that spent the most time themselves (or, for `own_code`, the workbench's
    functions that spent the most with what they called: where its time goes)."""
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for _, _, tt, _, _ in entries.values())
    table = Table(title=f"{title}: {total:.2f} s in Python functions", title_justify="left")
    for column in ("function", "calls", "own s", "own %", "with callees s"):
        table.add_column(column, justify="left" if column == "function" else "right")
    if own_code:
        mine = {key: value for key, value in entries.items()
                if any(f"/{package}/" in key[0] for package in OURS)}
        ranked = sorted(mine.items(), key=lambda item: item[1][3], reverse=True)[:SHOWN]
    else:
        ranked = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)[:SHOWN]
    for (filename, line, name), (_, calls, own, cumulative, _) in ranked:
        table.add_row(f"{_short(filename)}:{line} {name}", str(calls), f"{own:.3f}",
                      f"{own / total * 100:.1f}", f"{cumulative:.3f}")
    return table


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/work/", "lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


@contextlib.contextmanager
def profiled() -> Iterator[Profiles]:
    """Workers started inside profile themselves; the driver profiles what `driver()` wraps."""
    with tempfile.TemporaryDirectory(prefix="wb-profile-") as directory:
        os.environ[PROFILE_VAR] = directory
        try:
            yield Profiles(Path(directory))
        finally:
            os.environ.pop(PROFILE_VAR, None)
