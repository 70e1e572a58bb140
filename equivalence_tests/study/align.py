"""Two versions of a function aligned line by line, with the changed tokens of changed lines:
difflib decides both, so the terminal and the page mark the same characters."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
Span = tuple[int, int]  # [start, end) character offsets within a line


@dataclass(frozen=True)
class Row:
    """One line of the side-by-side view. `kind`: equal, changed, removed (legacy only) or
    added (modern only). Line numbers are 1-based, None where that side has no line."""

    kind: str
    left: int | None
    right: int | None
    left_spans: list[Span] = field(default_factory=list)
    right_spans: list[Span] = field(default_factory=list)


def token_spans(line: str) -> list[Span]:
    return [match.span() for match in TOKEN.finditer(line)]


def changed_tokens(left: str, right: str) -> tuple[list[Span], list[Span]]:
    """The character spans of the tokens that differ between two lines (whitespace ignored)."""
    a, b = token_spans(left), token_spans(right)
    words_a = [left[s:e] for s, e in a]
    words_b = [right[s:e] for s, e in b]
    matcher = difflib.SequenceMatcher(lambda word: word.isspace(), words_a, words_b,
                                      autojunk=False)
    spans_a: list[Span] = []
    spans_b: list[Span] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        spans_a += [a[i] for i in range(i1, i2) if not words_a[i].isspace()]
        spans_b += [b[j] for j in range(j1, j2) if not words_b[j].isspace()]
    return _merge(spans_a, left), _merge(spans_b, right)


def _merge(spans: list[Span], line: str) -> list[Span]:
    """Adjacent changed tokens (with only spaces between them) as one span."""
    merged: list[Span] = []
    for start, end in spans:
        if merged and not line[merged[-1][1]:start].strip():
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def align(left: list[str], right: list[str]) -> list[Row]:
    """Lines paired the way difflib matches them; a replaced block pairs its lines in order
    (the changed tokens marked within), and what is left over is removed or added."""
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [Row("equal", i + 1, j + 1) for i, j in zip(range(i1, i2), range(j1, j2),
                                                                 strict=True)]
            continue
        rows += _replace(left, right, i1, i2, j1, j2)
    return rows


def _whole(line: str) -> list[Span]:
    """A whole removed or added line, without its indentation."""
    return [(len(line) - len(line.lstrip()), len(line))] if line.strip() else []


def _replace(left: list[str], right: list[str], i1: int, i2: int, j1: int, j2: int,
             ) -> list[Row]:
    """A replaced block: the most similar pair of lines (ratio >= 0.5) is one changed row,
    and the lines before and after it are aligned the same way (as difflib.ndiff does)."""
    best, where = 0.5, None
    for i in range(i1, i2):
        for j in range(j1, j2):
            matcher = difflib.SequenceMatcher(None, left[i].strip(), right[j].strip(),
                                              autojunk=False)
            if matcher.real_quick_ratio() > best and matcher.ratio() > best:
                best, where = matcher.ratio(), (i, j)
    if where is None:
        return ([Row("removed", i + 1, None, _whole(left[i])) for i in range(i1, i2)]
                + [Row("added", None, j + 1, [], _whole(right[j])) for j in range(j1, j2)])
    i, j = where
    return [*_replace(left, right, i1, i, j1, j),
            Row("changed", i + 1, j + 1, *changed_tokens(left[i], right[j])),
            *_replace(left, right, i + 1, i2, j + 1, j2)]


def cut(line: str, spans: list[Span]) -> list[tuple[str, bool]]:
    """The line as pieces, each flagged whether it lies in a changed span."""
    pieces: list[tuple[str, bool]] = []
    at = 0
    for start, end in spans:
        if start > at:
            pieces.append((line[at:start], False))
        pieces.append((line[start:end], True))
        at = end
    if at < len(line):
        pieces.append((line[at:], False))
    return pieces
