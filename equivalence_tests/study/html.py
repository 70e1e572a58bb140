"""The study as one self-contained HTML page: styles and script inline, no network needed.

Python and SQL are highlighted by pygments (its token classes and its stylesheet for them);
which lines and tokens changed is decided by `align` (difflib)."""

from __future__ import annotations

import html
import itertools
import json
from typing import Any

from pygments import highlight, lex
from pygments.formatters import HtmlFormatter
from pygments.lexers import PostgresLexer, PythonLexer
from pygments.token import STANDARD_TYPES, _TokenType

from equivalence_tests.study import align, data

STYLE = "default"
CSS = """
:root { --bad: #b42318; --good: #067647; --warn: #b54708; --muted: #667085; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0;
       color: #101828; background: #f9fafb; }
header { background: #101828; color: #fff; padding: 16px 24px; }
header h1 { margin: 0 0 4px; font-size: 20px; }
header p { margin: 0; color: #d0d5dd; }
main { padding: 0 24px 48px; }
.filters { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 12px 0; }
.filters span.label { color: var(--muted); margin-right: 4px; min-width: 56px; }
button.chip { border: 1px solid #d0d5dd; background: #fff; border-radius: 14px;
              padding: 3px 10px; cursor: pointer; font: inherit; }
button.chip[aria-pressed="true"] { background: #101828; color: #fff; border-color: #101828; }
table { border-collapse: collapse; }
#index { width: 100%; background: #fff; border: 1px solid #eaecf0; }
#index th, #index td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eaecf0; }
#index td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.verdict { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px;
           font-weight: 600; background: #fef3f2; color: var(--bad); }
.verdict.equivalent { background: #ecfdf3; color: var(--good); }
.verdict.known-divergence { background: #fffaeb; color: var(--warn); }
.differ { color: var(--bad); font-weight: 700; }
section.pair { background: #fff; border: 1px solid #eaecf0; border-radius: 8px;
               margin: 24px 0; padding: 12px 16px; }
section.pair h2 { margin: 0 0 6px; font-size: 18px; }
section.pair h3 { font-size: 15px; margin: 16px 0 6px; }
.targets, .note { color: var(--muted); margin: 2px 0; }
.known { background: #fffaeb; border-left: 3px solid var(--warn); padding: 4px 8px; }
.error { background: #fef3f2; border-left: 3px solid var(--bad); padding: 4px 8px; }
table.code { width: 100%; table-layout: fixed; font: 12px/1.4 ui-monospace, SFMono-Regular,
             Menlo, Consolas, monospace; }
table.code td { vertical-align: top; white-space: pre-wrap; word-break: break-word;
                padding: 0 6px; }
table.code td.ln { width: 3em; color: var(--muted); text-align: right; user-select: none; }
table.code th { text-align: left; font: 600 12px system-ui, sans-serif; padding: 4px 6px; }
tr.changed td.l, tr.removed td.l { background: #fff1f0; }
tr.changed td.r, tr.added td.r { background: #eefbf1; }
td.l mark { background: #fcc9c4; } td.r mark { background: #b7ebc6; }
mark { color: inherit; border-radius: 2px; }
table.sides { width: 100%; table-layout: fixed; }
table.sides th, table.sides td { border: 1px solid #eaecf0; padding: 4px 6px;
                                 vertical-align: top; text-align: left; }
table.sides th.row { width: 8em; color: var(--muted); font-weight: 500; }
pre { margin: 0; white-space: pre-wrap; word-break: break-word;
      font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
ol.sql { margin: 0; padding-left: 1.6em; } ol.sql li { margin-bottom: 4px; }
.params { color: #6941c6; font: 12px ui-monospace, monospace; }
table.timing td, table.timing th { padding: 2px 10px; border-bottom: 1px solid #eaecf0;
                                   text-align: right; }
table.timing th:first-child, table.timing td:first-child { text-align: left; }
details summary { cursor: pointer; color: var(--muted); }
.example { border-top: 1px dashed #eaecf0; margin-top: 10px; padding-top: 6px; }
[hidden] { display: none !important; }
code, .params, table.sides td { overflow-wrap: anywhere; }
"""
SCRIPT = """
(function () {
  var state = {verdict: "all", service: "all"};
  function apply() {
    document.querySelectorAll("[data-pair]").forEach(function (el) {
      var shown = (state.verdict === "all" || el.dataset.verdict === state.verdict) &&
                  (state.service === "all" || el.dataset.service === state.service);
      el.hidden = !shown;
    });
    document.querySelectorAll("button[data-filter]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(state[b.dataset.filter] === b.dataset.value));
    });
    document.getElementById("shown").textContent =
      document.querySelectorAll("#index tbody tr[data-pair]:not([hidden])").length;
  }
  document.querySelectorAll("button[data-filter]").forEach(function (b) {
    b.addEventListener("click", function () {
      state[b.dataset.filter] = b.dataset.value;
      apply();
    });
  });
  apply();
})();
"""


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _css_class(ttype: _TokenType) -> str:
    found: _TokenType | None = ttype
    while found is not None and found not in STANDARD_TYPES:
        found = found.parent
    return str(STANDARD_TYPES[found]) if found is not None else ""


def highlighted_lines(lines: list[str]) -> list[list[tuple[str, str]]]:
    """Each source line as (pygments CSS class, text) pieces, lexed as one piece of Python."""
    out: list[list[tuple[str, str]]] = [[]]
    for ttype, value in lex("\n".join(lines) + "\n", PythonLexer()):
        for k, part in enumerate(value.split("\n")):
            if k:
                out.append([])
            if part:
                out[-1].append((_css_class(ttype), part))
    return out[:len(lines)] + [[] for _ in range(len(lines) - len(out))]


def code_cell(pieces: list[tuple[str, str]], spans: list[align.Span]) -> str:
    """One line's highlighted pieces with the changed spans wrapped in <mark>."""
    html_parts: list[str] = []
    at = 0
    for css, text in pieces:
        start, end = at, at + len(text)
        cuts = sorted({start, end, *(p for s, e in spans for p in (s, e) if start < p < end)})
        for a, b in itertools.pairwise(cuts):
            chunk = f'<span class="{css}">{esc(text[a - start:b - start])}</span>' if css \
                else esc(text[a - start:b - start])
            changed = any(s <= a and b <= e for s, e in spans)
            html_parts.append(f"<mark>{chunk}</mark>" if changed else chunk)
        at = end
    return "".join(html_parts)


def code_table(entry: dict[str, Any]) -> str:
    left, right = entry["sources"]["legacy"], entry["sources"]["modern"]
    lit_left, lit_right = highlighted_lines(left), highlighted_lines(right)
    rows = []
    for row in align.align(left, right):
        cells = []
        for number, lit, spans, side in ((row.left, lit_left, row.left_spans, "l"),
                                         (row.right, lit_right, row.right_spans, "r")):
            if number is None:
                cells.append(f'<td class="ln"></td><td class="{side}"></td>')
            else:
                cells.append(f'<td class="ln">{number}</td><td class="{side} hl">'
                             f"{code_cell(lit[number - 1], spans)}</td>")
        rows.append(f'<tr class="{row.kind}">{"".join(cells)}</tr>')
    return ('<table class="code"><colgroup><col style="width:3em"><col><col style="width:3em">'
            f'<col></colgroup><tr><th></th><th>legacy_14 {esc(entry["legacy"])}</th><th></th>'
            f'<th>modern_20 {esc(entry["modern"])}</th></tr>{"".join(rows)}</table>')


def sql_list(side: dict[str, Any]) -> str:
    formatter = HtmlFormatter(nowrap=True, style=STYLE)
    items = []
    for statement in side["sql"]:
        code = highlight(statement["statement"], PostgresLexer(), formatter)
        params = data.parameters_text(statement["parameters"])
        many = " (executemany)" if statement["executemany"] else ""
        items.append(f'<li><pre class="hl">{code.rstrip()}</pre>'
                     + (f'<div class="params">{esc(params)}{many}</div>' if params or many
                        else "") + "</li>")
    return f'<ol class="sql">{"".join(items)}</ol>' if items else "<em>no SQL</em>"


def count_header(label: str, side: dict[str, Any], differ: bool) -> str:
    n = side["statements"]
    cls = ' class="differ"' if differ else ""
    return f'{esc(label)}: <span{cls} data-statements="{n}">{n} statement{"s" * (n != 1)}</span>'


def sides_table(legacy: dict[str, Any], modern: dict[str, Any], versions: dict[str, str],
                modern_label: str) -> str:
    differ = legacy["statements"] != modern["statements"]

    def lines(value: list[str]) -> str:
        return f"<pre>{esc(chr(10).join(value) or '-')}</pre>"

    def seconds(side: dict[str, Any]) -> str:
        return esc(data.milliseconds(side.get("seconds")))

    return (
        '<table class="sides"><tr><th class="row"></th>'
        f'<th>{count_header("legacy " + versions.get("legacy", "1.4"), legacy, differ)}</th>'
        f'<th>{count_header(modern_label, modern, differ)}</th></tr>'
        f'<tr><th class="row">SQL</th><td class="sql-legacy">{sql_list(legacy)}</td>'
        f'<td class="sql-modern">{sql_list(modern)}</td></tr>'
        f'<tr><th class="row">outcome</th><td>{lines(legacy["shown"])}</td>'
        f'<td>{lines(modern["shown"])}</td></tr>'
        f'<tr><th class="row">warnings</th><td>{lines(legacy["warnings"])}</td>'
        f'<td>{lines(modern["warnings"])}</td></tr>'
        f'<tr><th class="row">time</th><td>{seconds(legacy)}</td><td>{seconds(modern)}</td></tr>'
        "</table>")


def timing_table(study: data.Study, name: str) -> str:
    cells = data.timing_cells(study, name)
    head = "".join(f"<th>{esc(c['column'])}</th>" for c in cells)
    median = "".join(f"<td>{esc(data.milliseconds(c['median']))}</td>" for c in cells)
    ratio = "".join(f"<td>{esc(data.ratio_text(c['ratio']) or '-')}</td>" for c in cells)
    source = "".join(f"<td>{esc(c['pair'] or 'n/a')} ({c['calls']} calls)</td>" if c["pair"]
                     else "<td>n/a</td>" for c in cells)
    return (f'<table class="timing"><tr><th>median per call</th>{head}</tr>'
            f"<tr><td>time</td>{median}</tr><tr><td>vs legacy</td>{ratio}</tr>"
            f"<tr><td>measured in</td>{source}</tr></table>")


def example_block(example: dict[str, Any], versions: dict[str, str], modern_label: str) -> str:
    legacy, modern = data.statement_counts(example)
    counts = (f' <span class="differ">{legacy} vs {modern} statements</span>'
              if legacy != modern else f' <span class="note">{legacy} vs {modern} statements'
                                       "</span>")
    dataset = data.dataset_lines(example["dataset"])
    rows = sum(len(table) for table in example["dataset"].values())
    return (f'<div class="example" data-case="{esc(example["case"])}">'
            f'<h4>case: {esc(example["case"])}{counts}</h4>'
            f'<p>arguments: <code>{esc(data.arguments_text(example["arguments"]))}</code></p>'
            f"<details><summary>dataset ({rows} rows)</summary>"
            f"<pre>{esc(chr(10).join(dataset))}</pre></details>"
            f"{sides_table(example['legacy'], example['modern'], versions, modern_label)}</div>")


def counterexample_block(entry: dict[str, Any], versions: dict[str, str]) -> str:
    found = entry["counterexample"]
    if not found:
        return ""
    second = found["legacy_again"] or found["modern"]
    label = "legacy again" if found["legacy_again"] else "modern " + versions.get("modern", "")
    note = ('<p class="error">The legacy function answered the same input differently twice: '
            "not blamed on the migration.</p>" if found["control_nondeterministic"] else "")
    diff = (f'<h4>difference (canonical form)</h4><pre>{esc(chr(10).join(found["diff"]))}</pre>'
            if found["diff"] else "")
    return (f'<div class="counterexample"><h3>Shrunk counterexample: '
            f'{esc(", ".join(found["what"]))} differ</h3>{note}'
            f'<p>arguments: <code>{esc(data.arguments_text(found["arguments"]))}</code></p>'
            f'<pre class="dataset">{esc(chr(10).join(data.dataset_lines(found["dataset"])))}'
            f"</pre>{sides_table(found['legacy'], second, versions, label)}{diff}</div>")


def modern_label(entry: dict[str, Any], versions: dict[str, str]) -> str:
    kind = "async" if entry["modern_async"] else "sync"
    return f"modern {versions.get('modern', '2.x')} ({kind})"


def pair_section(study: data.Study, name: str, index: int) -> str:
    entry = study["pairs"][name]
    versions = study.get("sqlalchemy") or {}
    group = data.verdict_group(entry["status"])
    parts = [f'<section class="pair" id="pair-{index}" data-pair="{esc(name)}" '
             f'data-verdict="{esc(group)}" data-service="{esc(entry["service"])}">',
             f'<h2>{esc(name)} <span class="verdict {esc(group.replace(" ", "-"))}">'
             f'{esc(entry["status"])}</span></h2>',
             f'<p class="targets">service {esc(entry["service"])} · legacy '
             f'<code>{esc(entry["legacy"])}</code> · modern <code>{esc(entry["modern"])}</code>'
             + (f" · {_examples(entry['verdict']['examples'])}" if entry.get("verdict") else "")
             + "</p>"]
    if entry.get("known"):
        parts.append(f'<p class="known">Known divergence: {esc(entry["known"])}</p>')
    if entry.get("error"):
        parts.append(f'<p class="error">{esc(entry["error"])}</p>')
    parts += ["<h3>Code</h3>", code_table(entry), "<h3>Time per call</h3>",
              timing_table(study, name)]
    label = modern_label(entry, versions)
    if entry["examples"]:
        parts.append("<h3>Representative examples</h3>")
        parts += [example_block(example, versions, label) for example in entry["examples"]]
    if entry.get("missing"):
        parts.append(f'<p class="note">No example reached: {esc(", ".join(entry["missing"]))}'
                     "</p>")
    parts.append(counterexample_block(entry, versions))
    readiness = data.readiness(entry["name"])
    parts.append(f'<p class="note">Readiness: {esc(readiness)}</p></section>')
    return "\n".join(parts)


def _examples(n: int) -> str:
    return f"{n} example{'s' * (n != 1)}"


def index_row(study: data.Study, name: str, index: int) -> str:
    entry = study["pairs"][name]
    group = data.verdict_group(entry["status"])
    statements = (entry.get("verdict") or {}).get("statements") or ["", ""]
    differ = ' class="num differ"' if statements[0] != statements[1] else ' class="num"'
    cells = data.timing_cells(study, name)
    own = cells[2] if entry["modern_async"] else cells[1]
    return (f'<tr data-pair="{esc(name)}" data-verdict="{esc(group)}" '
            f'data-service="{esc(entry["service"])}"><td><a href="#pair-{index}">{esc(name)}</a>'
            f'</td><td>{esc(entry["service"])}</td><td><span class="verdict '
            f'{esc(group.replace(" ", "-"))}">{esc(entry["status"])}</span></td>'
            f'<td class="num">{(entry.get("verdict") or {}).get("examples", "")}</td>'
            f"<td{differ}>{statements[0]} / {statements[1]}</td>"
            f'<td class="num">{esc(data.milliseconds(cells[0]["median"]))}</td>'
            f'<td class="num">{esc(data.milliseconds(own["median"]))}</td>'
            f'<td class="num">{esc(data.ratio_text(own["ratio"]))}</td></tr>')


def chips(kind: str, values: dict[str, int], total: int) -> str:
    buttons = [f'<button class="chip" data-filter="{kind}" data-value="all" '
               f'aria-pressed="true">all {total}</button>']
    buttons += [f'<button class="chip" data-filter="{kind}" data-value="{esc(value)}" '
                f'aria-pressed="false">{esc(value)} {n}</button>' for value, n in values.items()]
    return "".join(buttons)


def page(study: data.Study) -> str:
    """The whole page: counts and filters at the top, the index, a section per pair."""
    names = list(study["pairs"])
    versions = study.get("sqlalchemy") or {}
    services: dict[str, int] = {}
    for entry in study["pairs"].values():
        services[entry["service"]] = services.get(entry["service"], 0) + 1
    counts = data.counts(study)
    summary = ", ".join(f"{n} {verdict}" for verdict, n in counts.items())
    css = CSS + str(HtmlFormatter(style=STYLE).get_style_defs(".hl"))  # type: ignore[no-untyped-call]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Migration study: {len(names)} pairs</title>
<style>{css}</style></head>
<body>
<header><h1>SQLAlchemy {esc(versions.get("legacy", "1.4"))} → {esc(versions.get("modern", "2.x"))}:
every pair side by side</h1>
<p id="counts">{len(names)} pairs: {esc(summary)} · generated {esc(study.get("generated"))}</p>
</header>
<main>
<div class="filters" id="verdict-filter"><span class="label">verdict</span>
{chips("verdict", counts, len(names))}</div>
<div class="filters" id="service-filter"><span class="label">service</span>
{chips("service", dict(sorted(services.items())), len(names))}</div>
<p class="note"><span id="shown">{len(names)}</span> of {len(names)} pairs shown</p>
<table id="index"><thead><tr><th>pair</th><th>service</th><th>verdict</th><th>examples</th>
<th>most statements legacy / modern</th><th>legacy</th><th>modern</th><th>ratio</th></tr>
</thead><tbody>
{"".join(index_row(study, name, i) for i, name in enumerate(names))}
</tbody></table>
{"".join(pair_section(study, name, i) for i, name in enumerate(names))}
</main>
<script type="application/json" id="study-summary">{_json_for_script(counts)}</script>
<script>{SCRIPT}</script>
</body></html>
"""


def _json_for_script(value: Any) -> str:
    return json.dumps(value).replace("<", "\\u003c")
