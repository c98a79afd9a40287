"""The wording scan (用语检查): a post's words against the office's lexicons, in one pass.

One Aho–Corasick automaton (pyahocorasick) holds every enabled entry of the three lexicons, so a
post is read once whatever the number of entries (a province's lexicon has 10,000 and more), not
once per entry as a regular expression each would be. Text and terms are folded alike first:
full-width letters, digits and signs read as half-width, Latin capitals as small letters, the
ideographic space as a space. Folding keeps every character in its place, so a hit's position in
the folded text is its position in the post, and its excerpt is cut from what the unit wrote.

Where hits overlap, one inside a longer one is dropped (a sensitive phrase inside a wrong form of
a title is one problem, the longer); hits that only overlap are both kept. A wrong form is not
hit where the text reads the correct form that contains it: a term "人民代表大会" whose correct
form is "全国人民代表大会" is hit in "第十四届人民代表大会", not in "第十四届全国人民代表大会".

Links to sites outside the office's allowed domains are the fourth kind of hit: their term is the
link's host.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import ahocorasick

_FULL_WIDTH = {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}
_FOLD = str.maketrans(
    {
        **_FULL_WIDTH,
        **{chr(code): chr(code + 32) for code in range(ord("A"), ord("Z") + 1)},
        **{chr(code): chr(code - 0xFEE0 + 32) for code in range(0xFF21, 0xFF3B)},  # Ａ → a
        "\u3000": " ",
    }
)
EXCERPT_CHARS = 30
# A link's host: what follows the scheme up to the path, query, space, quote or a Chinese sign.
_LINK = re.compile(r"https?://([^\s/?#'\"<>\\，。、；：！？（）【】《》“”]+)", re.IGNORECASE)
LINK = "link"  # the lexicon name of a link hit


# Only the characters folding changes: most of a post is Chinese text it leaves alone, and replacing
# just these is three times faster than translating every character (the benchmark's day of posts).
_FOLDED = re.compile("[A-Z\uff01-\uff5e\u3000]")


def _folded(match: re.Match) -> str:
    return _FOLD[ord(match.group())]


def fold(text: str) -> str:
    """``text`` as the scan reads it; as long as ``text``, each character where it was."""
    return _FOLDED.sub(_folded, text)


@dataclass(frozen=True)
class Term:
    """An enabled lexicon entry as the automaton holds it."""

    entry_id: int
    lexicon: str
    term: str
    correct_form: str = ""
    category: str = ""
    severity: str = ""
    folded: str = field(init=False)
    # Where the term sits in its correct form, when the correct form contains it.
    _in_correct: int = field(init=False)
    _correct: str = field(init=False)

    def __post_init__(self):
        folded, correct = fold(self.term), fold(self.correct_form)
        object.__setattr__(self, "folded", folded)
        object.__setattr__(self, "_correct", correct)
        object.__setattr__(self, "_in_correct", correct.find(folded) if correct and folded != correct else -1)

    def reads_correctly_at(self, folded_text: str, start: int) -> bool:
        if self._in_correct < 0:
            return False
        begin = start - self._in_correct
        return begin >= 0 and folded_text.startswith(self._correct, begin)


@dataclass(frozen=True)
class Hit:
    """One entry (or one outside host) found in a post: its first place and how often."""

    lexicon: str
    term: str
    start: int
    end: int
    count: int = 1
    entry: Term | None = None

    def excerpt(self, text: str) -> dict[str, str]:
        """The words around the hit's first place, as the post has them, on one line."""

        def line(part: str) -> str:
            return " ".join(part.split())

        return {
            "before": line(text[max(0, self.start - EXCERPT_CHARS) : self.start]),
            "match": line(text[self.start : self.end]),
            "after": line(text[self.end : self.end + EXCERPT_CHARS]),
        }


class Scanner:
    """Every enabled entry in one automaton; ``hits(text)`` reads a post once."""

    def __init__(self, terms: Iterable[Term], allowed_domains: Iterable[str] = (), *, links: bool = True):
        self.automaton = ahocorasick.Automaton()
        by_key: dict[str, list[Term]] = {}
        for term in terms:
            if term.folded.strip():
                by_key.setdefault(term.folded, []).append(term)
        for key, same in by_key.items():
            self.automaton.add_word(key, tuple(same))
        self.size = len(by_key)
        if self.size:
            self.automaton.make_automaton()
        self.allowed = tuple(domain.lower().strip(".") for domain in allowed_domains if domain.strip("."))
        self.links = links

    def hits(self, text: str) -> list[Hit]:
        return [*self.term_hits(text), *(self.link_hits(text) if self.links else ())]

    def term_hits(self, text: str) -> list[Hit]:
        if not self.size or not text:
            return []
        folded = fold(text)
        spans = []
        for last, terms in self.automaton.iter(folded):
            start = last - len(terms[0].folded) + 1
            for term in terms:
                if not term.reads_correctly_at(folded, start):
                    spans.append((start, last + 1, term))
        # Longest first at each start: a span ending within the reach of one before it lies inside
        # that one, and is dropped unless it is the very same span (one term in two lexicons).
        spans.sort(key=lambda span: (span[0], -span[1]))
        found: dict[int, Hit] = {}
        reach, widest = -1, None
        for start, end, term in spans:
            if end <= reach and (start, end) != widest:
                continue
            if end > reach:
                reach, widest = end, (start, end)
            hit = found.get(term.entry_id)
            found[term.entry_id] = (
                Hit(term.lexicon, term.term, start, end, 1, term)
                if hit is None
                else Hit(hit.lexicon, hit.term, hit.start, hit.end, hit.count + 1, term)
            )
        return list(found.values())

    def link_hits(self, text: str) -> list[Hit]:
        if "://" not in text:
            return []
        found: dict[str, Hit] = {}
        for match in _LINK.finditer(text):
            host = match.group(1).rsplit("@", 1)[-1].split(":", 1)[0].lower().rstrip(".")
            if not host or self.is_allowed(host):
                continue
            hit = found.get(host)
            found[host] = (
                Hit(LINK, host, match.start(), match.end())
                if hit is None
                else Hit(LINK, host, hit.start, hit.end, hit.count + 1)
            )
        return list(found.values())

    def is_allowed(self, host: str) -> bool:
        return any(host == domain or host.endswith("." + domain) for domain in self.allowed)
