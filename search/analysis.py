"""Text analysis shared by documents and queries, in Python, so that SQLite and PostgreSQL
index and look up exactly the same tokens.

    normalise  NFKD, combining marks dropped (LC data is NFD: 'Pramoedya Ánanta' and its
               decomposed form become the same), NFKC, case-folded.
    tokenise   runs of letters, digits and spacing marks; apostrophes inside a word are dropped
               (Jum'at -> jumat); ISBNs (hyphenated or not, 10 or 13 digits; ISBN-10 becomes
               ISBN-13) and ISSNs stay one token; Han and kana characters are one token each
               (those scripts put no spaces between words, so a CJK query becomes a phrase of
               characters).
    stem       Indonesian, with PySastrawi's dictionary stemmer (menulis -> tulis, pendidikan ->
               didik, bacaan -> baca, buku-buku -> buku). Words not in its dictionary and
               without Indonesian affixes, which includes most English words, come back
               unchanged: English is matched word for word, without English stemming.

Sastrawi takes 0.1–4 ms for a word it does not know (it tries every prefix rule up to three
times), so `stem` answers without it where the result is known (a word in Sastrawi's own
dictionary; a word that no rule of Sastrawi's can match, as most English words) and caches
the rest in an LRU of half a million words, shared by the process: a large catalogue's
vocabulary is stemmed about once per process."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple


def _class_of(categories: set[str], limit: int = 0x30000) -> str:
    """A regex character class (without brackets) of every code point in `categories`."""
    ranges: list[tuple[int, int]] = []
    for cp in range(limit):
        if unicodedata.category(chr(cp)) in categories:
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


_COMBINING = re.compile(f"[{_class_of({'Mn', 'Me'})}]+")
_SPACING_MARKS = _class_of({"Mc"})
# Scripts written without spaces between words: one token per character.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_APOSTROPHE = re.compile(r"(?<=[^\W_])['\u2019\u02bc`](?=[^\W_])")
# A word: letters, digits, spacing marks; words joined by hyphens stay together (reduplication
# 'buku-buku', 'berlari-lari') and are split later if the stemmer does not join them.
_WORD = f"(?:[^\\W_{_CJK}]|[{_SPACING_MARKS}])+"
_TOKEN = re.compile(f"(?P<cjk>[{_CJK}])|(?P<word>{_WORD}(?:-{_WORD})*)")
# ISBN-like: digits with optional hyphens between groups, the last may be X.
_ISBN = re.compile(r"(?<![\w-])(?:\d[\d-]{7,15}[\dXx])(?![\w-])")
_DIGIT = re.compile(r"\d")
_ISSN = re.compile(r"(?<![\w-])\d{4}-\d{3}[\dXx](?![\w-])")

MIN_STEM_LENGTH = 4  # shorter words are left alone ('di', 'ke', 'ada' ...)


def normalise(text: str) -> str:
    """Accent- and case-insensitive form: NFKD, marks removed, NFKC, casefold."""
    if not text:
        return ""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = _COMBINING.sub("", decomposed)
    return unicodedata.normalize("NFKC", stripped).casefold()


def _isbn13(digits: str) -> str | None:
    """The ISBN-13 for 10 or 13 characters of digits (an ISBN-10 may end in x), if valid."""
    if len(digits) == 13 and digits.isdigit() and digits[:3] in ("978", "979"):
        total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits[:12]))
        return digits if (10 - total % 10) % 10 == int(digits[12]) else None
    if len(digits) == 10 and digits[:9].isdigit() and (digits[9].isdigit() or digits[9] == "x"):
        total = sum((10 - i) * int(d) for i, d in enumerate(digits[:9]))
        check = 10 if digits[9] == "x" else int(digits[9])
        if (total + check) % 11:
            return None
        body = "978" + digits[:9]
        total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body))
        return body + str((10 - total % 10) % 10)
    return None


def _valid_issn(number: str) -> bool:
    """Eight characters, the last a check digit (or x) over the first seven."""
    total = sum((8 - i) * int(d) for i, d in enumerate(number[:7]))
    check = (11 - total % 11) % 11
    return number[7] == ("x" if check == 10 else str(check))


@functools.cache
def _stemmer():
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    # The factory wraps the stemmer in an unbounded cache; we keep our own, bounded one.
    return StemmerFactory().create_stemmer().delegatedStemmer


@functools.cache
def _dictionary() -> frozenset[str]:
    return frozenset(_stemmer().get_dictionary().words)


# Where Sastrawi can change a word at all. Its prefix rules (plain di-/ke-/se-, the
# disambiguators of be-, me-, pe-, te-, ku-, kau-) and its infix rules (CerV, CelV, CemV, CinV)
# all match at the start of the word; its suffix rules (-lah -kah -tah -pun, -ku -mu -nya,
# -i -kan -an -is -isme -isasi) at the end. A word that matches none of them is never
# changed by any step, so Sastrawi returns it as it is, in or out of its dictionary. The
# test `test_the_fast_path_equals_plain_sastrawi` checks this over real catalogue text.
_CAN_CHANGE = re.compile(
    r"^(?:be|me|pe|te|di|ke|se|ku|ka|[bcdfghjklmnpqrstvwxyz](?:el|em|er|in)[aiueo])"
    r"|(?:lah|kah|tah|pun|ku|mu|nya|i|an|is|me)$"
)


def plain_stem(word: str) -> str:
    """The stem without shortcuts: what `stem` must always equal (its test compares them)."""
    if len(word) < MIN_STEM_LENGTH or not word.isascii() or not word.isalpha():
        return word
    result = _stemmer().stem_word(word)
    return result or word


@functools.lru_cache(maxsize=500_000)
def stem(word: str) -> str:
    """The Indonesian stem of one normalised word ('pendidikan' -> 'didik'). Only words of
    ASCII letters are given to Sastrawi (it drops everything else). Sastrawi tries some
    hundred rules on a word it does not know (most English words): words in its dictionary,
    and words no rule can touch, are answered here without it."""
    if len(word) < MIN_STEM_LENGTH or not word.isascii() or not word.isalpha():
        return word
    if word in _dictionary() or not _CAN_CHANGE.search(word):
        return word
    result = _stemmer().stem_word(word)
    return result or word


class Token(NamedTuple):
    term: str  # what is indexed and searched
    word: str  # the normalised word it came from (for "did you mean")


@functools.lru_cache(maxsize=65_536)
def _compound(word: str) -> tuple[Token, ...]:
    """A hyphenated word: reduplication joined, other compounds split."""
    parts = [p for p in word.split("-") if p]
    if len(set(parts)) == 1:  # buku-buku, kanak-kanak
        return (Token(stem(parts[0]), parts[0]),)
    if all(p.isascii() and p.isalpha() for p in parts) and len(parts) == 2:
        joined = _stemmer().stem_word(word)  # berlari-lari -> lari, berbalas-balasan -> balas
        if joined and "-" not in joined:
            return (Token(joined, word),)
    return tuple(Token(stem(part), part) for part in parts)


def analyse(text: str) -> list[Token]:
    """The tokens of a text, in order (positions matter for phrases)."""
    text = normalise(text)
    if not text:
        return []
    identifiers: dict[str, str] = {}

    def keep_isbn(match: re.Match) -> str:
        digits = match.group(0).replace("-", "")
        number = _isbn13(digits)
        if number is None:
            return match.group(0)
        marker = f"\x00{len(identifiers)}\x00"
        identifiers[marker] = number
        return f" {marker} "

    def keep_issn(match: re.Match) -> str:
        number = match.group(0).replace("-", "")
        if not _valid_issn(number):
            return match.group(0)
        marker = f"\x00{len(identifiers)}\x00"
        identifiers[marker] = number
        return f" {marker} "

    if _DIGIT.search(text):
        text = _ISSN.sub(keep_issn, text)
        text = _ISBN.sub(keep_isbn, text)
    text = _APOSTROPHE.sub("", text)
    tokens: list[Token] = []
    pieces = re.split("(\x00\\d+\x00)", text) if identifiers else [text]
    for piece in pieces:
        if piece in identifiers:
            tokens.append(Token(identifiers[piece], identifiers[piece]))
            continue
        for match in _TOKEN.finditer(piece):
            word = match.group(0)
            if match.lastgroup == "cjk":
                tokens.append(Token(word, word))
            elif "-" in word:
                tokens.extend(_compound(word))
            else:
                tokens.append(Token(stem(word), word))
    return tokens


def terms(text: str) -> list[str]:
    """Just the indexed terms of a text, in order."""
    return [token.term for token in analyse(text)]


def sort_key(title: str, length: int = 120) -> str:
    """A title as it sorts: normalised, leading punctuation and an English article dropped."""
    key = " ".join(re.findall(r"[^\W_]+", normalise(title)))
    for article in ("the ", "a ", "an "):
        if key.startswith(article):
            key = key[len(article) :]
            break
    return key[:length]
