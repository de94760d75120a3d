"""Finding FAQ entries with the catalogue's text analysis (search.analysis: accents and case
folded, Indonesian stems from Sastrawi), so that "meminjam buku" finds an entry that says
"peminjaman" and "pinjam", and the OPAC's results page can show the librarians' answers.

An entry keeps its analysed terms in `FaqEntry.search_terms` (" term term … "); a query matches
an entry holding every one of its content terms. Words that say nothing about the subject
("apakah", "bagaimana", "the", "how") are left out of both. The FAQ is a small table, so a
`LIKE '% term %'` per term is fast enough and works the same on SQLite and PostgreSQL."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from search.analysis import stem, terms

MAX_QUERY_TERMS = 8

# Question words and function words of Indonesian and English.
_STOPWORD_TEXT = (
    "yang dan di ke dari untuk dengan atau ini itu ada apa apakah bagaimana kapan mana dimana"
    " siapa berapa mengapa kenapa saya aku kami kita anda kamu bisa dapat boleh tidak tak"
    " akan sudah telah juga pada dalam oleh karena jika kalau agar supaya sebagai adalah"
    " ialah yaitu tentang para pun lah kah nya mohon tolong terima kasih halo selamat pagi"
    " siang sore malam bapak ibu pak bu"
    " a an the of in on at to for and or is are was were be been do does did you your i my"
    " me we our us it its this that these those how what when where who why which can could"
    " may will would with have has had not no yes please hello thanks thank"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@functools.lru_cache(maxsize=1)
def _stop_terms() -> frozenset[str]:
    return STOPWORDS | {stem(word) for word in STOPWORDS}


def content_terms(words: Iterable[str]) -> list[str]:
    """The terms that say something, in order, each once."""
    stop = _stop_terms()
    seen: dict[str, None] = {}
    for term in words:
        if len(term) > 1 and term not in stop:
            seen.setdefault(term, None)
    return list(seen)


def entry_terms(*texts: str) -> str:
    """What `FaqEntry.search_terms` holds for these texts."""
    found = sorted(set(content_terms(t for text in texts for t in terms(text or ""))))
    return f" {' '.join(found)} " if found else ""


def query_terms(query) -> list[str]:
    """The content terms of a search: a string, or the OPAC's parsed query (search.query.
    ParsedQuery), of which the words for any field are used (not those for a field such as
    author:, nor words left out with -)."""
    if isinstance(query, str):
        words = terms(query)
    else:
        words = [
            token.term
            for clause in getattr(query, "clauses", ())
            if clause.field is None and not clause.negated
            for token in clause.tokens
        ]
    return content_terms(words)[:MAX_QUERY_TERMS]
