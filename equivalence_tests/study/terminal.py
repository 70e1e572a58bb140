"""One pair of the study in the terminal: rich, syntax-highlighted, at most 100 columns."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.rule import Rule
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from equivalence_tests.study import align, data

WIDTH = 100
THEME = "ansi_dark"
VERDICT_STYLE = {"equivalent": "bold green", "known divergence": "bold yellow"}
LINE_STYLE = {"left": "on #3c1f1f", "right": "on #1f3c24"}
TOKEN_STYLE = {"left": "bold on #7a2e2e", "right": "bold on #2e6b3a"}
MARK = {"equal": " ", "changed": "~", "removed": "-", "added": "+"}


def console(**options: Any) -> Console:
    """A console no wider than 100 columns (a pipe gets exactly 100)."""
    probe = Console()
    width = min(probe.width, WIDTH) if probe.is_terminal else WIDTH
    return Console(width=width, **options)


def _lines(source: list[str]) -> list[Text]:
    highlighted = Syntax("", "python", theme=THEME).highlight("\n".join(source))
    lines = highlighted.split("\n", allow_blank=True)
    return [*lines, *[Text() for _ in range(len(source) - len(lines))]][:len(source)]


def code_table(entry: dict[str, Any]) -> Table:
    """Both functions aligned: changed lines tinted, changed tokens bold on a stronger tint."""
    left, right = entry["sources"]["legacy"], entry["sources"]["modern"]
    lit = {"left": _lines(left), "right": _lines(right)}
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 0), expand=True, show_edge=False)
    table.add_column("", width=1, no_wrap=True)
    table.add_column(Text(f"legacy_14 {entry['legacy']}"), ratio=1, overflow="fold")
    table.add_column(Text(f" modern_20 {entry['modern']}"), ratio=1, overflow="fold")
    for row in align.align(left, right):
        cells: list[Text] = []
        for side, number, spans in (("left", row.left, row.left_spans),
                                    ("right", row.right, row.right_spans)):
            if number is None:
                cells.append(Text(""))
                continue
            text = lit[side][number - 1].copy()
            text.rstrip()
            if row.kind != "equal":
                text.stylize(LINE_STYLE[side])
            for start, end in spans:
                text.stylize(TOKEN_STYLE[side], start, end)
            cells.append(Text(" ") + text if side == "right" else text)
        table.add_row(Text(MARK[row.kind], style="bold"), *cells)
    return table


def timing_table(study: data.Study, name: str) -> Table:
    cells = data.timing_cells(study, name)
    table = Table(box=box.SIMPLE_HEAD, title="median time per call", title_justify="left",
                  show_edge=False)
    table.add_column("")
    for cell in cells:
        table.add_column(cell["column"], justify="right")
    table.add_row("time", *[data.milliseconds(c["median"]) for c in cells])
    table.add_row("vs legacy", *[data.ratio_text(c["ratio"]) or "-" for c in cells])
    table.add_row("calls", *[str(c["calls"]) if c["pair"] else "n/a" for c in cells])
    return table


def sql_text(side: dict[str, Any]) -> Text:
    out = Text()
    for k, statement in enumerate(side["sql"], start=1):
        if k > 1:
            out.append("\n")
        out.append(f"{k}. ", style="dim")
        out.append_text(_sql(statement["statement"]))
        params = data.parameters_text(statement["parameters"])
        if params or statement["executemany"]:
            many = " (executemany)" if statement["executemany"] else ""
            out.append(f"\n   {params}{many}", style="magenta")
    return out if side["sql"] else Text("no SQL", style="dim")


def _sql(statement: str) -> Text:
    text = Syntax("", "postgresql", theme=THEME).highlight(statement)
    text.rstrip()
    return text


def sides_table(legacy: dict[str, Any], modern: dict[str, Any], labels: tuple[str, str],
                ) -> Table:
    differ = legacy["statements"] != modern["statements"]
    style = "bold red" if differ else "bold"
    table = Table(box=box.SQUARE, show_lines=True, expand=True)
    table.add_column("", width=8)
    for label, side in zip(labels, (legacy, modern), strict=True):
        n = side["statements"]
        table.add_column(Text.assemble(label, " ", (f"{n} statement{'s' * (n != 1)}", style)),
                         ratio=1, overflow="fold")
    table.add_row("SQL", sql_text(legacy), sql_text(modern))
    table.add_row("outcome", Text("\n".join(legacy["shown"])), Text("\n".join(modern["shown"])))
    table.add_row("warnings", Text("\n".join(legacy["warnings"]) or "-"),
                  Text("\n".join(modern["warnings"]) or "-"))
    table.add_row("time", data.milliseconds(legacy.get("seconds")),
                  data.milliseconds(modern.get("seconds")))
    return table


def labels(study: data.Study, entry: dict[str, Any]) -> tuple[str, str]:
    versions = study.get("sqlalchemy") or {}
    kind = "async" if entry["modern_async"] else "sync"
    return (f"legacy {versions.get('legacy', '1.4')}",
            f"modern {versions.get('modern', '2.x')} ({kind})")


def view(study: data.Study, name: str) -> Group:
    """Everything the study knows of one pair, in reading order."""
    entry = study["pairs"][name]
    status = entry["status"]
    parts: list[RenderableType] = [
        Rule(Text.assemble((name, "bold"), "  ", (status, VERDICT_STYLE.get(status, "bold red"))),
             align="left"),
        Text(f"service {entry['service']}   legacy {entry['legacy']}   modern {entry['modern']}"
             + (f"   {entry['verdict']['examples']} examples" if entry.get("verdict") else ""),
             style="dim")]
    if entry.get("known"):
        parts.append(Text(f"known divergence: {entry['known']}", style="yellow"))
    if entry.get("error"):
        parts.append(Text(entry["error"], style="red"))
    parts += [code_table(entry), timing_table(study, name)]
    for example in entry["examples"]:
        legacy, modern = data.statement_counts(example)
        counts = Text(f"{legacy} vs {modern} statements",
                      style="bold red" if legacy != modern else "dim")
        arguments = data.arguments_text(example["arguments"])
        parts.append(Text.assemble(("case: ", "bold"), (example["case"], "bold cyan"), "   ",
                                   counts, f"   arguments: {arguments}"))
        parts.append(Text("\n".join("  " + line for line in data.dataset_lines(
            example["dataset"])), style="dim"))
        parts.append(sides_table(example["legacy"], example["modern"], labels(study, entry)))
    if entry.get("missing"):
        parts.append(Text(f"no example reached: {', '.join(entry['missing'])}", style="yellow"))
    found = entry.get("counterexample")
    if found:
        parts.append(Rule(f"shrunk counterexample: {', '.join(found['what'])} differ",
                          align="left", style="red"))
        parts.append(Text(f"arguments: {data.arguments_text(found['arguments'])}"))
        parts.append(Text("\n".join("  " + line for line in data.dataset_lines(found["dataset"]))))
        second = found["legacy_again"] or found["modern"]
        names = labels(study, entry)
        parts.append(sides_table(found["legacy"], second,
                                 (names[0], "legacy again" if found["legacy_again"] else names[1])))
        if found["diff"]:
            parts.append(Syntax("\n".join(found["diff"]), "diff", theme=THEME))
    readiness = data.readiness(entry["name"])
    parts.append(Text(f"readiness: {readiness}", style="dim"))
    return Group(*parts)
