"""A record cited in APA style (7th edition, book):

    Hirata, A. (2005). *Laskar pelangi* (Cet. 1). Bentang Pustaka.

Names catalogued inverted ("Hirata, Andrea") become "Hirata, A."; names without a comma (many
Indonesian names have no family name: "Pramoedya Ananta Toer", "Sukarno") are cited as written.
Corporate bodies are cited as written. Without authors, editors lead with "(Ed.)"/"(Eds.)";
without either, the title does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString

from catalog.models import ContributorRole

MAX_AUTHORS = 20
_LEADING_ROLES = {ContributorRole.AUTHOR, ContributorRole.CORPORATE, ContributorRole.MEETING}
_PERSONAL = {ContributorRole.AUTHOR, ContributorRole.EDITOR}


@dataclass(frozen=True)
class Citation:
    text: str  # plain, for copying
    html: SafeString  # with the title in italics


def _initials(given: str) -> str:
    parts = []
    for word in given.split():
        if word.endswith(".") and len(word) <= 3:  # already an initial ("M.", "Th.")
            parts.append(word)
            continue
        pieces = [p for p in word.split("-") if p]
        if pieces and pieces[0][:1].isalpha():
            parts.append("-".join(f"{p[0].upper()}." for p in pieces))
    return " ".join(parts)


def person_name(name: str, role: str) -> str:
    name = re.sub(r",?\s*\d{3,4}-?(\d{3,4})?\.?$", "", name.strip()).strip(" ,")
    if role not in _PERSONAL or "," not in name:
        return name
    family, given = (part.strip() for part in name.split(",", 1))
    initials = _initials(given)
    return f"{family}, {initials}" if initials else family


def _join(names: list[str]) -> str:
    if len(names) > MAX_AUTHORS:
        names = names[: MAX_AUTHORS - 1] + ["…", names[-1]]
        return ", ".join(names)
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]}, & {names[1]}"
    return ", ".join(names[:-1]) + f", & {names[-1]}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".?!" else f"{text}."


def apa(record, contributors: list[tuple[str, str]]) -> Citation:
    """`contributors`: (name, role) in catalogue order."""
    authors = [person_name(n, r) for n, r in contributors if r in _LEADING_ROLES]
    editors = [person_name(n, r) for n, r in contributors if r == ContributorRole.EDITOR]
    year = f"({record.year})" if record.year else "(n.d.)"
    title = record.title.strip().rstrip(" /:;,=")
    if record.subtitle:
        title = f"{title}: {record.subtitle.strip().rstrip(' /:;,=')}"
    edition = record.edition.strip().rstrip(".").strip() if record.edition else ""
    after_title = f" ({edition})" if edition else ""
    publisher = (record.publisher or "").strip().rstrip(" ,;:")
    lead = ""
    if authors:
        lead = _join(authors)
    elif editors:
        lead = _join(editors) + (" (Eds.)" if len(editors) > 1 else " (Ed.)")
    tail = f" {_sentence(publisher)}" if publisher and publisher != lead else ""
    if lead:
        head = f"{_sentence(lead)} {year}. "
        text = f"{head}{title}{after_title}.{tail}"
        html = format_html("{}<i>{}</i>{}.{}", head, title, after_title, tail)
    else:
        text = f"{title}{after_title}. {year}.{tail}"
        html = format_html("<i>{}</i>{}. {}.{}", title, after_title, year, tail)
    return Citation(text=text.replace("..", "."), html=html)
