"""What a person typed, as clauses the backends compile.

    laskar pelangi            both words, anywhere (title, contributors, subjects, series,
                              ISBN, notes)
    "bumi manusia"            the words next to each other, in this order
    author:hirata             a field: title/judul, author/pengarang/penulis, subject/subjek/
    title:"sang pemimpi"      topik, series/seri, isbn/issn
    sejarah -belanda          leave out records with a word (alone: everything but those)
    title: laskar             a field followed by a space applies to the next word

Words are analysed like documents (search.analysis), so 'Membaca' finds 'bacaan' and an ISBN
with or without hyphens finds the record. A word that analyses to several terms ('U.S.A.',
'東京') is matched as a phrase.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.formats import number_format

from search.analysis import Token, analyse
from search.documents import MAX_TERM_LENGTH
from search.errors import NothingToSearchError, QueryTooLongError

MAX_QUERY_LENGTH = 500
MAX_CLAUSES = 32

FIELD_ALIASES = {
    "title": "title",
    "judul": "title",
    "author": "author",
    "pengarang": "author",
    "penulis": "author",
    "subject": "subject",
    "subjek": "subject",
    "topik": "subject",
    "series": "series",
    "seri": "series",
    "isbn": "ident",
    "issn": "ident",
}
# The name used when a query is written back (suggestions, advanced search).
FIELD_NAMES = {
    "title": "title",
    "author": "author",
    "subject": "subject",
    "series": "series",
    "ident": "isbn",
}

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "＂": '"'})


@dataclass(frozen=True)
class Clause:
    tokens: tuple[Token, ...]
    field: str | None = None  # a search.documents.FIELDS name, or None for any field
    negated: bool = False
    quoted: bool = False

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(token.term for token in self.tokens)

    def written(self, words: list[str] | None = None) -> str:
        """The clause as it could be typed again (with `words` in place of its own)."""
        words = words if words is not None else [token.word for token in self.tokens]
        text = " ".join(words)
        if self.quoted or len(words) > 1:
            text = f'"{text}"'
        if self.field:
            text = f"{FIELD_NAMES[self.field]}:{text}"
        return f"-{text}" if self.negated else text


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    clauses: tuple[Clause, ...] = ()
    truncated: bool = False  # more than MAX_CLAUSES clauses: the rest were left out
    notes: tuple[str, ...] = field(default=())

    @property
    def positive(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if not c.negated)

    @property
    def negative(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.negated)

    def __bool__(self) -> bool:
        return bool(self.clauses)


def _chunks(text: str):
    """(field, negated, quoted, chunk) for each word or quoted phrase of `text`."""
    i, n = 0, len(text)
    pending_field = None
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        negated = False
        if text[i] in "-−" and i + 1 < n and not text[i + 1].isspace():
            negated = True
            i += 1
        field_name = None
        j = i
        while j < n and text[j].isalpha():
            j += 1
        if j < n and text[j] == ":" and text[i:j].casefold() in FIELD_ALIASES:
            field_name = FIELD_ALIASES[text[i:j].casefold()]
            i = j + 1
            if i >= n or text[i].isspace():
                pending_field = field_name
                continue
        field_name = field_name or pending_field
        pending_field = None
        if text[i] == '"':
            end = text.find('"', i + 1)
            end = n if end == -1 else end
            yield field_name, negated, True, text[i + 1 : end]
            i = end + 1
        else:
            end = i
            while end < n and not text[end].isspace() and text[end] != '"':
                end += 1
            yield field_name, negated, False, text[i:end]
            i = end


def parse(text: str) -> ParsedQuery:
    """Clauses of a query; raises QueryError subclasses for a query that cannot be run.
    An empty query gives an empty ParsedQuery (the caller decides: browse or prompt)."""
    text = (text or "").replace("\x00", " ")
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryTooLongError(
            length=number_format(len(text), force_grouping=True),
            limit=number_format(MAX_QUERY_LENGTH, force_grouping=True),
        )
    text = text.translate(_QUOTES).strip()
    if not text:
        return ParsedQuery(text="")
    clauses: list[Clause] = []
    for field_name, negated, quoted, chunk in _chunks(text):
        tokens = tuple(
            Token(t.term[:MAX_TERM_LENGTH], t.word) if len(t.term) > MAX_TERM_LENGTH else t
            for t in analyse(chunk)
        )
        if tokens:
            clauses.append(Clause(tokens, field_name, negated, quoted))
    if not clauses:
        raise NothingToSearchError()
    truncated = len(clauses) > MAX_CLAUSES
    return ParsedQuery(text=text, clauses=tuple(clauses[:MAX_CLAUSES]), truncated=truncated)
