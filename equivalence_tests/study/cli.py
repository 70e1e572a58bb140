"""`python -m equivalence_tests.study report [--pair NAME]...` writes the study (JSON + HTML);
`python -m equivalence_tests.study diff NAME` shows one pair in the terminal. Through nox:
`python3 run_nox.py -s report` and `python3 run_nox.py -s diff -- NAME`."""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from equivalence_tests.domain.pair import Pair
from equivalence_tests.harness.workbench import Workbench, provision
from equivalence_tests.runner import Workbenches, every_pair
from equivalence_tests.study import collect, data, html, terminal


def all_pairs() -> list[Pair]:
    """Every pair the main job runs, in its order."""
    return list(every_pair()[0])


@contextlib.contextmanager
def benches() -> Iterator[Callable[[Pair], Workbench]]:
    """A workbench for each pair's service, opened when its first pair comes (pairs come
    service by service) and stopped when the next service's begins."""
    with provision() as lab:
        opened = Workbenches(lab)
        try:
            yield lambda pair: opened.bench(data.service_of(pair))
        finally:
            opened.close()


def run(pairs: list[Pair], study: data.Study, examples: int | None, tries: int) -> data.Study:
    """Collect `pairs` into `study` with a progress bar and one line per verdict."""
    import equivalence_tests.profiles  # noqa: F401  (the Hypothesis profiles the main job uses)

    overrides = {"max_examples": examples} if examples else {}
    shown = terminal.console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=shown, transient=True) as progress, benches() as bench_for:
        task = progress.add_task("collecting", total=len(pairs))

        def advance(pair: Pair) -> None:
            entry = study["pairs"][pair.name]
            shown.print(f"{pair.name}: {entry['status']}", highlight=False)
            progress.update(task, advance=1)

        def bench(pair: Pair) -> Workbench:
            progress.update(task, description=pair.name[:40])
            return bench_for(pair)

        collect.collect(pairs, bench, study, advance, tries, **overrides)
    order = [pair.name for pair in all_pairs()]
    study["pairs"] = {name: study["pairs"][name] for name in order if name in study["pairs"]}
    return study


def write(study: data.Study, directory: Path) -> tuple[Path, Path]:
    json_path, html_path = directory / data.JSON_NAME, directory / data.HTML_NAME
    data.save(study, json_path)
    # The page is made from the file, as `diff` reads it: the two views cannot disagree.
    html_path.write_text(html.page(data.load(json_path)), encoding="utf-8")
    return json_path, html_path


def pick(names: list[str]) -> list[Pair]:
    pairs = {pair.name: pair for pair in all_pairs()}
    unknown = [name for name in names if name not in pairs]
    if unknown:
        sys.exit(f"unknown pair {', '.join(unknown)}; pairs: {', '.join(sorted(pairs))}")
    return [pairs[name] for name in names]


def report(args: argparse.Namespace) -> int:
    directory = args.out or data.study_dir()
    selected = pick(args.pair) if args.pair else all_pairs()
    # A partial report adds to the last one; a full one starts afresh.
    study = data.load(directory / data.JSON_NAME) if args.pair else data.empty()
    started = time.monotonic()
    run(selected, study, args.examples, args.tries)
    json_path, html_path = write(study, directory)
    counts = ", ".join(f"{n} {verdict}" for verdict, n in data.counts(study).items())
    print(f"{len(study['pairs'])} pairs ({counts}) in {time.monotonic() - started:.0f} s")
    print(f"data: {json_path}\nreport: {html_path}\nopen: {html_path.resolve().as_uri()}")
    errors = [name for name in (p.name for p in selected) if study["pairs"][name].get("error")]
    return 1 if errors else 0


def diff(args: argparse.Namespace) -> int:
    directory = args.out or data.study_dir()
    (pair,) = pick([args.name])
    study = data.load(directory / data.JSON_NAME)
    if not data.fresh(study, pair):
        print(f"{pair.name}: not in {directory / data.JSON_NAME} or its code changed since; "
              "collecting it", file=sys.stderr)
        run([pair], study, args.examples, args.tries)
        write(study, directory)
        study = data.load(directory / data.JSON_NAME)
    terminal.console().print(terminal.view(study, pair.name))
    return 1 if study["pairs"][pair.name].get("error") else 0


def main(argv: list[str] | None = None) -> int:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--out", type=Path, help="directory of study.json and study.html "
                        "(default: .workbench/, or $WORKBENCH_STUDY_DIR)")
    common.add_argument("--examples", type=int, help="Hypothesis examples per pair for the "
                        "verdict (default: the profile's)")
    common.add_argument("--tries", type=int, default=collect.TRIES,
                        help="examples searched for representatives and timing per pair")
    parser = argparse.ArgumentParser(prog="python -m equivalence_tests.study",
                                     description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("report", parents=[common], help="collect every pair (or "
                               "--pair ones); write the JSON and the HTML page")
    make.add_argument("--pair", action="append", default=[], metavar="NAME")
    one = commands.add_parser("diff", parents=[common], help="one pair in the terminal")
    one.add_argument("name")
    args = parser.parse_args(argv)
    return report(args) if args.command == "report" else diff(args)

