"""README's "Validate your own service", followed in a temporary copy of the repository: the
service is created from the README's own blocks (nothing registered anywhere), `step` passes
it, and then fails it for a wrong migration (naming the function and its counterexample) and
for a drifted modern model (naming the column)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"<!-- file: (?P<path>\S+) -->\n```\w*\n(?P<body>.*?)\n```", re.S)


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The repository as git sees it, without the library service, then the README's files."""
    target = tmp_path_factory.mktemp("walkthrough") / "repo"
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    readme = (target / "README.md").read_text()
    blocks = BLOCK.findall(readme)
    assert {path for path, _ in blocks} == {
        "shared_schema/library.sql", "legacy_14/library.py", "modern_20/library.py"}
    for path, _ in blocks:
        (target / path).unlink()  # the service exists only as the README writes it
    for path, body in blocks:
        (target / path).write_text(body + "\n")
    yield target


def run_step(copy: Path, json_path: Path) -> subprocess.CompletedProcess[str]:
    """What `python3 run_nox.py -s step -- library --json PATH` runs, in the copy."""
    mypy = Path(os.environ["WORKBENCH_MODERN_PYTHON"]).parents[2] / "typecheck" / "bin" / "mypy"
    env = {**os.environ, "WORKBENCH_MYPY": str(mypy)}
    return subprocess.run([sys.executable, "-m", "equivalence_tests.step", "library", "--json",
                           str(json_path)], cwd=copy, env=env, capture_output=True, text=True,
                          timeout=600, check=False)


def edit(path: Path, old: str, new: str) -> str:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))
    return text


def test_the_readme_service_is_safe_to_ship_with_no_registration(copy: Path) -> None:
    assert "library" not in (copy / "equivalence_tests" / "pairs.py").read_text()
    done = run_step(copy, copy / "step.json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "library: safe to ship" in done.stdout
    report = json.loads((copy / "step.json").read_text())
    assert report["version"] == 1 and report["safe"] is True
    (service,) = report["services"]
    assert service["service"] == "library" and service["kind"] == "writing"
    assert {f["pair"]: f["verdict"] for f in service["functions"]} == {
        "library.books_by": "equivalent", "library.count_published": "equivalent",
        "library.retire": "equivalent"}
    assert all(f["examples"] > 0 for f in service["functions"])
    assert service["mypy"] == {"ran": True, "ok": True, "output": []}
    assert [d for d in service["drift"] if not d["info"]] == []
    assert service["blockers"] == [] and service["not_compared"] == []
    assert service["sqlalchemy"] == {"legacy": "1.4.54", "modern": "2.0.58"}
    # The main job finds the same pairs with --service, with no registration line either.
    main = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                           "equivalence_tests/test_equivalence.py", "--service", "library"],
                          cwd=copy, capture_output=True, text=True, timeout=600, check=False)
    assert main.returncode == 0, main.stdout[-3000:]
    assert "3 pairs (SQLAlchemy 1.4.54 vs 2.0.58): 3 equivalent -> safe to ship" in main.stdout


def test_a_wrong_migration_fails_the_step_naming_the_function_and_its_counterexample(
        copy: Path) -> None:
    module = copy / "modern_20" / "library.py"
    # Wrong: the change is flushed but never committed (the legacy code committed).
    before = edit(module, '''    with session.begin():
        book = session.get(Book, book_id)
        if book is None:
            return False
        book.status = "retired"
    return True''', '''    book = session.get(Book, book_id)
    if book is None:
        return False
    book.status = "retired"
    session.flush()
    return True''')
    try:
        done = run_step(copy, copy / "wrong.json")
    finally:
        module.write_text(before)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "library: NOT safe to ship, because:" in done.stdout
    assert "library.retire: divergent" in done.stdout
    assert "minimal dataset:" in done.stdout and "arguments: book_id=" in done.stdout
    (service,) = json.loads((copy / "wrong.json").read_text())["services"]
    (retire,) = [f for f in service["functions"] if f["pair"] == "library.retire"]
    assert retire["verdict"] == "divergent"
    assert retire["counterexample"]["what"] == ["table books"]
    assert len(retire["counterexample"]["dataset"]["books"]) == 1  # shrunk to one book


def test_a_drifted_modern_model_fails_the_step_naming_the_column(copy: Path) -> None:
    module = copy / "modern_20" / "library.py"
    before = edit(module, "title: Mapped[str] = mapped_column(String(200))",
                  "title: Mapped[str] = mapped_column(String(100))")
    try:
        done = run_step(copy, copy / "drift.json")
    finally:
        module.write_text(before)
    assert done.returncode == 1, done.stdout + done.stderr
    (service,) = json.loads((copy / "drift.json").read_text())["services"]
    blocking = [d for d in service["drift"] if not d["info"]]
    assert [(d["side"], d["table"], d["column"]) for d in blocking] == [
        ("modern_20", "books", "title")]
    assert any("modern_20 books.title" in blocker for blocker in service["blockers"])
    assert "modern_20 books.title: models VARCHAR(100), database VARCHAR(200)" in done.stdout
