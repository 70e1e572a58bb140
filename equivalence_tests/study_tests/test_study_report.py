"""The study's content for known pairs, in the JSON, the HTML page and the terminal view:
both sources with their changed lines and tokens, both SQL lists with bound parameters and
their statement counts, the counterexample of a divergent pair."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

from rich.console import Console

from equivalence_tests.study import cli, data, terminal
from equivalence_tests.study_tests.conftest import DIVERGENT, REGISTERED


class Section(HTMLParser):
    """One pair's section of the page: its text, the text of its <mark>s per code side, and
    each SQL list's statements (text) per side."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.marks: dict[str, list[str]] = {"l": [], "r": []}
        self.rows: list[str] = []  # the class of each code row
        self.sql: dict[str, list[str]] = {"sql-legacy": [], "sql-modern": []}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = dict(attrs).get("class") or ""
        self.stack.append((tag, classes))
        if tag == "mark":
            side = next((c.split()[0] for t, c in reversed(self.stack) if t == "td"), "")
            self.marks.setdefault(side, []).append("")
        if tag == "tr" and classes in ("equal", "changed", "removed", "added"):
            self.rows.append(classes)
        if tag == "li":
            where = next((c for t, c in reversed(self.stack) if c in self.sql), None)
            if where:
                self.sql[where].append("")

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, text: str) -> None:
        self.text.append(text)
        tags = [t for t, _ in self.stack]
        if "mark" in tags:
            side = next((c.split()[0] for t, c in reversed(self.stack) if t == "td"), "")
            self.marks[side][-1] += text
        if "li" in tags:
            where = next((c for t, c in reversed(self.stack) if c in self.sql), None)
            if where:
                self.sql[where][-1] += text


def section(page: str, name: str) -> Section:
    match = re.search(rf'<section class="pair" id="pair-\d+" data-pair="{re.escape(name)}".*?'
                      r"</section>", page, re.S)
    assert match, f"no section for {name}"
    parsed = Section()
    parsed.feed(match.group(0))
    return parsed


def example(study: data.Study, name: str, case: str) -> dict:
    found = [e for e in study["pairs"][name]["examples"] if e["case"] == case]
    assert found, f"{name}: no {case} example ({study['pairs'][name]['missing']})"
    return found[0]


def test_the_json_is_versioned_complete_and_fresh(study: data.Study,
                                                  study_files: tuple) -> None:
    assert study["version"] == data.VERSION
    assert list(study["pairs"]) == [*REGISTERED, DIVERGENT]
    assert study["sqlalchemy"]["legacy"].startswith("1.4")
    for pair in cli.pick(list(REGISTERED)):
        assert data.fresh(study, pair), pair.name
        entry = study["pairs"][pair.name]
        assert entry["verdict"]["examples"] > 0 and entry["timing"]["legacy"]["calls"] > 0


def test_both_sources_with_the_changed_lines_and_tokens_highlighted(page: str) -> None:
    shown = section(page, "count_pending_orders")
    text = "".join(shown.text)
    assert "session.query(Order)" in text and ".count()" in text  # legacy
    assert "select(func.count())" in text and ".select_from(Order)" in text  # modern
    assert {"equal", "changed", "removed", "added"} <= set(shown.rows)
    # Token level: in the changed line pairs, only what differs is marked.
    assert "filter" in shown.marks["l"] and "where" in shown.marks["r"]
    assert not any("tenant_id == tenant_id" in mark for mark in shown.marks["l"] + shown.marks["r"])
    # pygments did the highlighting: its token classes and its stylesheet are in the page.
    assert '<span class="k">def</span>' in page and ".hl .k {" in page


def test_an_n_plus_1_against_selectinload_shows_both_sql_lists_and_counts(
        study: data.Study, page: str) -> None:
    found = example(study, "count_orders_per_user", "found")
    users = len(found["legacy"]["outcome"])
    assert users >= 2, "the representative example should have several users"
    assert (found["legacy"]["statements"], found["modern"]["statements"]) == (1 + users, 2)
    lazy = [s for s in found["legacy"]["sql"] if "= orders.user_id" in s["statement"]]
    assert len(lazy) == users and all(s["parameters"] for s in lazy)  # one per user, bound
    assert " IN (" in found["modern"]["sql"][1]["statement"]
    shown = section(page, "count_orders_per_user")
    text = " ".join(shown.text)
    assert f"{1 + users} vs 2 statements" in text
    assert f"{1 + users} statements" in text and "2 statements" in text
    legacy_sql = [s for s in shown.sql["sql-legacy"] if "= orders.user_id" in s]
    assert len(legacy_sql) >= users and any("IN (" in s for s in shown.sql["sql-modern"])
    assert re.search(rf'class="differ" data-statements="{1 + users}"', page)


def test_query_count_subquery_against_select_func_count(study: data.Study, page: str) -> None:
    found = example(study, "count_pending_orders", "found")
    (legacy,), (modern,) = found["legacy"]["sql"], found["modern"]["sql"]
    assert re.search(r"count\(\*\).*FROM \(SELECT", legacy["statement"], re.S)
    assert "FROM (SELECT" not in modern["statement"] and "count(*)" in modern["statement"]
    assert legacy["parameters"]["tenant_id_1"] == found["arguments"]["tenant_id"]
    shown = section(page, "count_pending_orders")
    assert any("FROM (SELECT" in s for s in shown.sql["sql-legacy"])
    assert not any("FROM (SELECT" in s for s in shown.sql["sql-modern"])
    assert "1 vs 1 statements" in " ".join(shown.text)


def test_first_adds_a_limit_and_async_timing_sits_beside_sync(study: data.Study) -> None:
    found = example(study, "get_order_with_product", "found")
    assert "LIMIT" in found["legacy"]["sql"][0]["statement"]
    assert "LIMIT" not in found["modern"]["sql"][0]["statement"]
    cells = {c["column"]: c for c in data.timing_cells(study, "get_order_with_product")}
    assert cells["modern async"]["pair"] == "get_order_with_product (async)"
    assert all(cells[c]["median"] for c in data.TIMING_COLUMNS)
    assert cells["modern sync"]["ratio"] == (cells["modern sync"]["median"]
                                             / cells["legacy 1.4"]["median"])
    cells = {c["column"]: c for c in data.timing_cells(study, "count_pending_orders")}
    assert cells["modern async"]["median"] is None  # no async migration: n/a


def test_a_divergent_pair_shows_its_shrunk_counterexample(study: data.Study, page: str) -> None:
    entry = study["pairs"][DIVERGENT]
    assert entry["status"] == "divergent"
    found = entry["counterexample"]
    assert found["what"] == ["return value"]
    assert len(found["modern"]["outcome"]) == 2 and len(found["legacy"]["outcome"]) == 1
    assert len(found["dataset"]["orders"]) == 2 and found["diff"]
    shown = section(page, DIVERGENT)
    text = "".join(shown.text)
    assert "Shrunk counterexample: return value differ" in text
    for line in data.dataset_lines(found["dataset"]):
        assert line in text
    assert found["modern"]["shown"][1] in text
    assert example(study, DIVERGENT, "counterexample")["modern"]["sql"]


def test_a_known_divergence_shows_its_explanation(study: data.Study, page: str) -> None:
    name = "get_user_with_orders (async, no eager load)"
    entry = study["pairs"][name]
    assert entry["status"] == "known divergence" and entry["counterexample"]
    assert "MissingGreenlet" in " ".join(entry["counterexample"]["modern"]["shown"])
    assert "Known divergence: session.get() without selectinload" in "".join(
        section(page, name).text)


def test_the_terminal_view_reads_the_same_data_and_fits_100_columns(study: data.Study) -> None:
    out = io.StringIO()
    Console(file=out, width=terminal.WIDTH, color_system=None).print(
        terminal.view(study, "count_orders_per_user"))
    text = out.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 100
    found = example(study, "count_orders_per_user", "found")
    counts = f"{found['legacy']['statements']} vs {found['modern']['statements']} statements"
    assert counts in text and "selectinload(User.orders)" in text
    assert "session.query(User)" in text and "readiness: " in text


def test_diff_reads_a_fresh_study_without_collecting(study_files: tuple, tmp_path: Path,
                                                     capsys, monkeypatch) -> None:
    _, json_path, _ = study_files
    monkeypatch.setattr(cli, "run", lambda *a, **k: (_ for _ in ()).throw(AssertionError))
    assert cli.main(["diff", "count_pending_orders", "--out", str(json_path.parent)]) == 0
    assert "select(func.count())" in capsys.readouterr().out
