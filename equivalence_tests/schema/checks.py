"""CHECK constraints of the common forms, parsed from `pg_get_constraintdef` into conditions.

PostgreSQL prints a CHECK back in one normal form (`CHECK (((a >= 1) AND (a <= 9)))`,
`(c)::text = ANY ((ARRAY['x'::character varying])::text[])`), so a small tokenizer and
recursive descent cover what services write: `col IN (...)`, `col NOT IN (...)`, comparisons
of a column with a constant (either side, BETWEEN arrives as two), `char_length(col)` /
`length(col)` against a constant, `col IS NOT NULL`, and conjunctions of these. Anything else
(`a + b < 10`, `OR`, functions) parses to None: the derived strategy ignores it and the rows
the database refuses for it are dropped and reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

Literal = str | int | Decimal | None

# Comparison operators as PostgreSQL prints them, and the one each becomes with sides swapped.
FLIPPED = {"=": "=", "<>": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
LENGTH_FUNCTIONS = {"char_length", "character_length", "length"}
# Words that continue a multi-word type name after `::` (character varying, double precision).
TYPE_WORDS = {"varying", "precision", "with", "without", "time", "zone"}

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>[Ee]?'(?:[^']|'')*')
      | (?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
      | (?P<ident>[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")*")
      | (?P<op>::|<=|>=|<>|!=|[-+*/%<>=()\[\],.|^~!@#&])
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Condition:
    """One readable piece of a CHECK: `column op values` (`length`: on char_length(column)).

    `op` is one of = <> < <= > >= (one value), `in` / `not in` (several), `not null` (none).
    Values are literals as written: str for quoted ones (also '-5.5'::numeric, dates), int or
    Decimal for bare numbers; the strategy converts them to the column's type.
    """

    column: str
    op: str
    values: tuple[Literal, ...] = ()
    length: bool = False


class _Unreadable(Exception):
    """Not one of the common forms."""


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


def tokenize(text: str) -> list[_Token]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise _Unreadable(text[pos:])
        pos = match.end()
        kind = match.lastgroup
        assert kind is not None
        tokens.append(_Token(kind, match.group(kind)))
    return tokens


def _drop_casts(tokens: list[_Token]) -> list[_Token]:
    """Remove `::type`, `::character varying(20)[]` and the like: types come from the catalog."""
    out: list[_Token] = []
    i = 0
    while i < len(tokens):
        if tokens[i].text != "::":
            out.append(tokens[i])
            i += 1
            continue
        i += 1
        if i >= len(tokens) or tokens[i].kind != "ident":
            raise _Unreadable("::")
        i += 1
        while i < len(tokens) and tokens[i].kind == "ident" and tokens[i].text in TYPE_WORDS:
            i += 1
        if i < len(tokens) and tokens[i].text == "(" and i + 1 < len(tokens) and (
                tokens[i + 1].kind == "number"):
            while i < len(tokens) and tokens[i].text != ")":
                i += 1
            i += 1
        while i + 1 < len(tokens) and tokens[i].text == "[" and tokens[i + 1].text == "]":
            i += 2
    return out


@dataclass(frozen=True)
class _Col:
    name: str
    length: bool = False


@dataclass(frozen=True)
class _Lit:
    value: Literal


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self, offset: int = 0) -> _Token | None:
        at = self.pos + offset
        return self.tokens[at] if at < len(self.tokens) else None

    def word(self, offset: int = 0) -> str:
        token = self.peek(offset)
        return token.text.upper() if token is not None and token.kind == "ident" else ""

    def take(self, text: str) -> None:
        token = self.peek()
        if token is None or (token.text.upper() if token.kind == "ident" else token.text) != text:
            raise _Unreadable(text)
        self.pos += 1

    def conjunction(self) -> list[Condition]:
        found = self.unit()
        while self.word() == "AND":
            self.pos += 1
            found += self.unit()
        return found

    def unit(self) -> list[Condition]:
        start = self.pos
        try:
            return [self.predicate()]
        except _Unreadable:
            self.pos = start
        self.take("(")
        found = self.conjunction()
        self.take(")")
        return found

    def predicate(self) -> Condition:
        left = self.operand()
        if self.word() == "IS" and self.word(1) == "NOT" and self.word(2) == "NULL":
            self.pos += 3
            if not isinstance(left, _Col) or left.length:
                raise _Unreadable("IS NOT NULL")
            return Condition(left.name, "not null")
        if self.word() in ("IN", "NOT"):
            negated = self.word() == "NOT"
            self.pos += 2 if negated else 1
            if not isinstance(left, _Col):
                raise _Unreadable("IN")
            self.take("(")
            values = self.literals(")")
            return Condition(left.name, "not in" if negated else "in", values, left.length)
        token = self.peek()
        if token is None or token.text not in FLIPPED:
            raise _Unreadable("operator")
        op = token.text
        self.pos += 1
        if self.word() in ("ANY", "ALL") and (op, self.word()) in (("=", "ANY"), ("<>", "ALL")):
            quantifier = self.word()
            self.pos += 1
            if not isinstance(left, _Col):
                raise _Unreadable(quantifier)
            self.take("(")
            values = self.array()
            self.take(")")
            return Condition(left.name, "in" if op == "=" else "not in", values, left.length)
        right = self.operand()
        if isinstance(left, _Col) and isinstance(right, _Lit):
            return Condition(left.name, op, (right.value,), left.length)
        if isinstance(left, _Lit) and isinstance(right, _Col):
            return Condition(right.name, FLIPPED[op], (left.value,), right.length)
        raise _Unreadable("column against constant")

    def array(self) -> tuple[Literal, ...]:
        if self.peek() is not None and self.peek().text == "(":  # type: ignore[union-attr]
            self.pos += 1
            values = self.array()
            self.take(")")
            return values
        self.take("ARRAY")
        self.take("[")
        return self.literals("]")

    def literals(self, close: str) -> tuple[Literal, ...]:
        values: list[Literal] = []
        while True:
            operand = self.operand()
            if not isinstance(operand, _Lit):
                raise _Unreadable("literal list")
            values.append(operand.value)
            if self.peek() is not None and self.peek().text == ",":  # type: ignore[union-attr]
                self.pos += 1
                continue
            self.take(close)
            return tuple(values)

    def operand(self) -> _Col | _Lit:
        token = self.peek()
        if token is None:
            raise _Unreadable("end")
        if token.text == "(":
            self.pos += 1
            inner = self.operand()
            self.take(")")
            return inner
        if token.text == "-" and (number := self.peek(1)) is not None and number.kind == "number":
            self.pos += 2
            return _Lit(-_number(number.text))
        if token.kind == "number":
            self.pos += 1
            return _Lit(_number(token.text))
        if token.kind == "string":
            self.pos += 1
            body = token.text[1:-1] if token.text[0] == "'" else token.text[2:-1]
            return _Lit(body.replace("''", "'"))
        if token.kind == "ident":
            if token.text.upper() == "NULL":
                self.pos += 1
                return _Lit(None)
            name = _identifier(token.text)
            nxt = self.peek(1)
            if nxt is not None and nxt.text == "(":
                if name.lower() not in LENGTH_FUNCTIONS:
                    raise _Unreadable(name)
                self.pos += 2
                inner = self.operand()
                self.take(")")
                if not isinstance(inner, _Col) or inner.length:
                    raise _Unreadable(name)
                return _Col(inner.name, length=True)
            if token.text.upper() in ("AND", "OR", "NOT", "ARRAY", "ANY", "ALL", "IS", "IN"):
                raise _Unreadable(token.text)
            self.pos += 1
            return _Col(name)
        raise _Unreadable(token.text)


def _number(text: str) -> int | Decimal:
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() and "." not in text else value


def _identifier(text: str) -> str:
    return text[1:-1].replace('""', '"') if text.startswith('"') else text


def parse_check(definition: str) -> tuple[Condition, ...] | None:
    """Conditions of a `pg_get_constraintdef` text, or None when it is not of a common form."""
    text = re.sub(r"\s+NOT VALID\s*$|\s+NO INHERIT\s*$", "", definition.strip())
    try:
        tokens = _drop_casts(tokenize(text))
        parser = _Parser(tokens)
        parser.take("CHECK")
        found = parser.unit()
        if parser.pos != len(tokens):
            return None
    except _Unreadable:
        return None
    return tuple(found)
