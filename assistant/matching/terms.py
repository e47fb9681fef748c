"""Finding known terms in text: one compiled pattern per vocabulary, longest term first.

Terms are stored lower-case and matched case-insensitively. A term that starts or ends with a Latin letter or digit only matches at a word boundary on that
side ("xl" in "xl还有吗" and "size xl?", not in "xxl" or "excel"); Han text has no spaces, so Han
terms match anywhere. Weak terms (one Han character, a single-letter size, a bare number) carry a
context check that the caller supplies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

_ALNUM_EDGE = re.compile(r"[a-z0-9]")


@dataclass(frozen=True)
class Hit(Generic[T]):
    start: int
    end: int
    term: str
    payload: T


@dataclass
class TermIndex(Generic[T]):
    """Terms (lower-case) → payloads; ``find`` returns non-overlapping hits, longest first."""

    entries: dict[str, list[T]] = field(default_factory=dict)
    weak: dict[str, Callable[[str, int, int], bool]] = field(default_factory=dict)
    strong: set[str] = field(default_factory=set)
    _pattern: re.Pattern[str] | None = None

    def add(self, term: str, payload: T, *, weak_check: Callable[[str, int, int], bool] | None = None) -> None:
        term = term.strip().lower()
        if not term:
            return
        bucket = self.entries.setdefault(term, [])
        if payload not in bucket:
            bucket.append(payload)
        if weak_check is None:
            self.strong.add(term)
            self.weak.pop(term, None)
        elif term not in self.strong:
            self.weak.setdefault(term, weak_check)
        self._pattern = None

    def compile(self) -> None:
        # A trie-shaped pattern: thousands of place names as one flat alternation make Python's
        # regex engine try each in turn at every position; shared prefixes make it near-linear.
        body = _trie_pattern(self.entries) if self.entries else ""
        self._pattern = re.compile(body, re.IGNORECASE) if body else re.compile(r"(?!x)x")

    def find(self, text: str, exclude: Iterable[tuple[int, int]] = ()) -> list[Hit[T]]:
        """Hits in ``text`` (any case), skipping spans other matchers consumed."""
        if self._pattern is None:
            self.compile()
        assert self._pattern is not None
        taken = list(exclude)
        hits: list[Hit[T]] = []
        for match in self._pattern.finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            term = match.group(0).lower()
            check = self.weak.get(term)
            if check is not None and not check(text, start, end):
                continue
            for payload in self.entries[term]:
                hits.append(Hit(start, end, term, payload))
        return hits


def overlaps(span: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in spans)


def _trie_pattern(terms: Iterable[str]) -> str:
    """One regex for many literal terms, longest match first, with word boundaries for Latin edges."""
    trie: dict[str, dict] = {}
    for term in terms:
        node = trie
        for char in term:
            node = node.setdefault(char, {})
        node[""] = {}
    return _node_pattern(trie, first=True)


def _node_pattern(node: dict[str, dict], first: bool = False, last_char: str = "") -> str:
    branches = []
    for char in sorted((c for c in node if c), reverse=True):
        piece = re.escape(char)
        if first and char.isdigit():
            piece = r"(?<![a-z0-9.])" + piece  # "2米" is not inside "1.2米"
        elif first and _ALNUM_EDGE.match(char):
            piece = r"(?<![a-z0-9])" + piece
        branches.append(piece + _node_pattern(node[char], last_char=char))
    if "" in node:
        # The term may end here: try longer continuations first, then stop (at a word boundary
        # when the term ends in a Latin letter or digit).
        end = r"(?![a-z0-9])" if _ALNUM_EDGE.match(last_char) else ""
        if last_char.isdigit():
            end = r"(?![a-z0-9]|\.\d)"  # "1" is not the start of "1.5"
        if not branches:
            return end
        return "(?:" + "|".join(branches) + (f"|{end})" if end else "|)")
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"
