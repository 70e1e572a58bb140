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
        console.print(top("driver (pytest-less: check(), Hypothesis, protocol, compare)",
                          pstats.Stats(self.profile)))
        for side in ("legacy_14", "modern_20"):
            files = sorted(str(path) for path in self.directory.glob(f"{side}-*.pstats"))
            if files:
                console.print(top(f"{side} worker ({len(files)} process(es))",
                                  pstats.Stats(*files)))


def top(title: str, stats: pstats.Stats) -> Table:
    """The functions that spent the most time themselves, with what they called."""
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for _, _, tt, _, _ in entries.values())
    table = Table(title=f"{title}: {total:.2f} s in Python functions", title_justify="left")
    for column in ("function", "calls", "own s", "own %", "with callees s"):
        table.add_column(column, justify="left" if column == "function" else "right")
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
