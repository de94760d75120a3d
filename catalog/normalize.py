"""Text keys for matching headings and deduplicating: the same name however it is accented,
composed (LC data is NFD), cased or punctuated."""

from __future__ import annotations

import re
import unicodedata

_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """NFKC, case-folded, with accents removed: 'Pramoedya Ánanta' -> 'pramoedya ananta'."""
    if not text:
        return ""
    if text.isascii():  # (de)composition leaves ASCII as it is; casefold is lower
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", stripped).casefold()


def heading_key(text: str) -> str:
    """The matching key of a heading: folded, punctuation removed, spaces collapsed."""
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", fold(text))).strip()[:300]


_KEEP_PERIOD_AFTER = {"jr", "sr", "etc", "ed", "eds", "inc", "co", "ltd", "dr", "h", "hj", "st"}


def clean_heading(text: str) -> str:
    """A heading as displayed: NFC, trailing ISBD punctuation (',', '/', ':', ';', '=') removed,
    and a final period unless it ends an initial or an abbreviation ('Jr.', 'A.')."""
    text = unicodedata.normalize("NFC", text or "").strip().rstrip(" ,;:/=").strip()
    if text.endswith(".") and not text.endswith("..."):
        last_word = text[:-1].rsplit(" ", 1)[-1].rsplit(".", 1)[-1]
        if len(last_word) > 1 and last_word.casefold() not in _KEEP_PERIOD_AFTER:
            text = text[:-1].rstrip()
    return text
