"""A simple spam and profanity check on text the public writes (questions, replies, feedback,
ideas, comments, suggestions): Indonesian and English words that are never needed in a library
conversation, gambling spam, and link floods. Words that also have innocent meanings
("anjing", "babi") are not listed. The text is refused with a message; nothing is stored."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

PROFANITY = {
    # Indonesian
    "bangsat",
    "bajingan",
    "kontol",
    "memek",
    "ngentot",
    "goblok",
    "jancok",
    "jancuk",
    "asu",
    # English
    "fuck",
    "fucking",
    "cunt",
    "motherfucker",
    "bullshit",
}
SPAM_PHRASES = ("slot gacor", "judi online", "casino online", "togel", "viagra", "maxwin")
MAX_LINKS = 3
_WORD = re.compile(r"[a-z]+")
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)


class UnwelcomeTextError(DomainError):
    code = "unwelcome_text"
    message = _("Please write without offensive words or advertising.")


def check_public_text(*texts: str) -> None:
    for text in texts:
        lowered = (text or "").lower()
        if any(word in PROFANITY for word in _WORD.findall(lowered)):
            raise UnwelcomeTextError()
        if any(phrase in lowered for phrase in SPAM_PHRASES):
            raise UnwelcomeTextError()
        if len(_LINK.findall(lowered)) > MAX_LINKS:
            raise UnwelcomeTextError()
