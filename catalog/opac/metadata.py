"""What the record page tells machines and other sites: schema.org JSON-LD, Open Graph tags and
plain share links (no external scripts)."""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from catalog.identifiers import format_isbn
from catalog.models import ContributorRole, MaterialType
from search.languages import language_tag

_BOOK_FORMATS = {
    MaterialType.BOOK: "https://schema.org/Paperback",
    MaterialType.EBOOK: "https://schema.org/EBook",
    MaterialType.AUDIOBOOK: "https://schema.org/AudiobookFormat",
    MaterialType.LARGE_PRINT: "https://schema.org/Paperback",
    MaterialType.BRAILLE: "https://schema.org/Paperback",
}
_OTHER_TYPES = {
    MaterialType.SERIAL: "Periodical",
    MaterialType.ARTICLE: "ScholarlyArticle",
    MaterialType.VIDEO: "Movie",
    MaterialType.MAP: "Map",
    MaterialType.SCORE: "MusicComposition",
    MaterialType.SOUND_RECORDING: "MusicRecording",
}
_ORGANISATIONS = {ContributorRole.CORPORATE, ContributorRole.MEETING}
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld(page, *, url: str, cover_url: str, library_name: str) -> SafeString:
    """schema.org Book (or the type that fits the material) as a JSON string that is safe
    inside <script type="application/ld+json">."""
    record = page.record
    data: dict = {
        "@context": "https://schema.org",
        "@type": _OTHER_TYPES.get(record.material_type, "Book"),
        "@id": url,
        "url": url,
        "name": str(record),
    }
    if record.title_vernacular:
        data["alternateName"] = record.title_vernacular
    people = [
        {
            "@type": "Organization" if link.role in _ORGANISATIONS else "Person",
            "name": link.contributor.name,
        }
        for link in page.contributors
        if link.role in (ContributorRole.AUTHOR, ContributorRole.CORPORATE, ContributorRole.MEETING)
    ]
    if people:
        data["author"] = people
    editors = [
        {"@type": "Person", "name": link.contributor.name}
        for link in page.contributors
        if link.role == ContributorRole.EDITOR
    ]
    if editors:
        data["editor"] = editors
    if record.year:
        data["datePublished"] = str(record.year)
    if record.publisher:
        data["publisher"] = {"@type": "Organization", "name": record.publisher}
    if record.isbn:
        data["isbn"] = record.isbn
    if record.edition:
        data["bookEdition"] = record.edition
    if language_tag(record.language):
        data["inLanguage"] = language_tag(record.language)
    if record.material_type in _BOOK_FORMATS:
        data["bookFormat"] = _BOOK_FORMATS[record.material_type]
    if page.subjects:
        data["about"] = [link.subject.heading for link in page.subjects]
    if record.summary:
        data["description"] = record.summary
    if cover_url:
        data["image"] = cover_url
    if record.physical_description:
        data["materialExtent"] = record.physical_description
    if record.audience:
        data["audience"] = {"@type": "Audience", "audienceType": record.audience}
    if record.accessibility_features:
        data["accessibilityFeature"] = list(record.accessibility_features)
    data["offers"] = [
        {
            "@type": "Offer",
            "price": 0,
            "priceCurrency": "IDR",
            "availability": "https://schema.org/InStock"
            if branch.available
            else "https://schema.org/OutOfStock",
            "availableAtOrFrom": {"@type": "Library", "name": branch.branch.name},
            "offeredBy": {"@type": "Library", "name": library_name},
            "businessFunction": "http://purl.org/goodrelations/v1#LeaseOut",
        }
        for branch in page.availability
    ]
    text = json.dumps(data, ensure_ascii=False, indent=None).translate(_JSON_ESCAPES)
    return mark_safe(text)  # noqa: S308 - JSON with <, > and & escaped


def open_graph(page, *, url: str, cover_url: str, site_name: str, description: str) -> list:
    """(property, content) pairs for <meta property=… content=…>."""
    record = page.record
    tags = [
        ("og:type", "book"),
        ("og:title", str(record)),
        ("og:url", url),
        ("og:site_name", site_name),
        ("og:description", description),
    ]
    if cover_url:
        tags.append(("og:image", cover_url))
    if record.isbn:
        tags.append(("book:isbn", record.isbn))
    if record.year:
        tags.append(("book:release_date", str(record.year)))
    tags.extend(("book:tag", link.subject.heading) for link in page.subjects[:5])
    locale = language_tag(record.language)
    if locale:
        tags.append(("og:locale", locale))
    return tags


def share_links(*, url: str, title: str) -> list[tuple[str, str]]:
    """(name, address): plain links, nothing loaded from those sites until one is followed."""
    text = f"{title} {url}"
    return [
        ("WhatsApp", "https://wa.me/?" + urlencode({"text": text}, quote_via=quote)),
        (
            "Facebook",
            "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}, quote_via=quote),
        ),
        (
            "X",
            "https://x.com/intent/post?" + urlencode({"text": title, "url": url}, quote_via=quote),
        ),
        (_("E-mail"), "mailto:?" + urlencode({"subject": title, "body": url}, quote_via=quote)),
    ]


def describe(page) -> str:
    """A one-line description for search engines and link previews."""
    record = page.record
    parts = [str(record)]
    names = [link.contributor.name for link in page.contributors[:3]]
    if names:
        parts.append("; ".join(names))
    if record.publisher or record.year:
        parts.append(" ".join(str(v) for v in (record.publisher, record.year or "") if v))
    if record.isbn:
        parts.append(f"ISBN {format_isbn(record.isbn)}")
    return " — ".join(parts)[:300]
