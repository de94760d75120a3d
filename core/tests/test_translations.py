"""The Indonesian catalogue is complete, and the committed .mo is compiled from the .po."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def parse_po(path: Path) -> tuple[dict[str, str], list[str]]:
    """msgid (with its context) -> msgstr (msgstr[0] for plurals), and the fuzzy ones."""
    entries: dict[str, str] = {}
    fuzzy: list[str] = []
    current: dict[str, str] = {}
    field = None
    flagged = False

    def flush() -> None:
        nonlocal current, flagged
        if "msgid" in current and current["msgid"]:
            key = current["msgid"]
            if "msgctxt" in current:
                key = f"{current['msgctxt']}\x04{key}"
            entries[key] = current.get("msgstr", current.get("msgstr[0]", ""))
            if flagged:
                fuzzy.append(key)
        current, flagged = {}, False

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            flush()
            field = None
        elif line.startswith("#,"):
            flagged = flagged or "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[field] += ast.literal_eval(line)
        else:
            field, _, value = line.partition(" ")
            current[field] = ast.literal_eval(value)
    return entries, fuzzy


def test_every_indonesian_string_is_translated_and_none_is_fuzzy():
    entries, fuzzy = parse_po(LOCALE / "id/LC_MESSAGES/django.po")
    assert len(entries) > 300
    untranslated = [msgid for msgid, msgstr in entries.items() if not msgstr]
    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalogue_matches_the_source():
    entries, _fuzzy = parse_po(LOCALE / "id/LC_MESSAGES/django.po")
    with open(LOCALE / "id/LC_MESSAGES/django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    def lookup(key: str) -> str:
        context, _, msgid = key.rpartition("\x04")
        return compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)

    stale = [key for key, msgstr in entries.items() if lookup(key) != msgstr]
    assert stale == [], "run `pustaka compilemessages --ignore=.venv` and commit the .mo"
