"""Names and web language tags of the MARC (ISO 639-2/B) language codes a library here meets."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# code -> (name, BCP 47 tag for lang="…")
LANGUAGES = {
    "ind": (_("Indonesian"), "id"),
    "eng": (_("English"), "en"),
    "may": (_("Malay"), "ms"),
    "jav": (_("Javanese"), "jv"),
    "sun": (_("Sundanese"), "su"),
    "mad": (_("Madurese"), "mad"),
    "ban": (_("Balinese"), "ban"),
    "bug": (_("Buginese"), "bug"),
    "min": (_("Minangkabau"), "min"),
    "ace": (_("Acehnese"), "ace"),
    "bjn": (_("Banjar"), "bjn"),
    "ara": (_("Arabic"), "ar"),
    "chi": (_("Chinese"), "zh"),
    "jpn": (_("Japanese"), "ja"),
    "kor": (_("Korean"), "ko"),
    "dut": (_("Dutch"), "nl"),
    "fre": (_("French"), "fr"),
    "ger": (_("German"), "de"),
    "spa": (_("Spanish"), "es"),
    "por": (_("Portuguese"), "pt"),
    "ita": (_("Italian"), "it"),
    "rus": (_("Russian"), "ru"),
    "heb": (_("Hebrew"), "he"),
    "per": (_("Persian"), "fa"),
    "urd": (_("Urdu"), "ur"),
    "hin": (_("Hindi"), "hi"),
    "tha": (_("Thai"), "th"),
    "vie": (_("Vietnamese"), "vi"),
    "tgl": (_("Tagalog"), "tl"),
    "lat": (_("Latin"), "la"),
    "gre": (_("Greek"), "el"),
    "arm": (_("Armenian"), "hy"),
    "nep": (_("Nepali"), "ne"),
    "mul": (_("Several languages"), ""),
    "und": (_("Undetermined"), ""),
}


def language_name(code: str) -> str:
    entry = LANGUAGES.get((code or "").lower())
    return str(entry[0]) if entry else (code or "")


def language_tag(code: str) -> str:
    """The BCP 47 tag for a MARC language code ('ind' -> 'id'), or '' when unknown."""
    entry = LANGUAGES.get((code or "").lower())
    return entry[1] if entry else ""
