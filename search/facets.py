"""Facets: the tags a document carries, the filters a search applies, and their labels.

Every facet value of a record is a tag in its document ("mt_book", "la_ind", "br_3", "av_3",
"su_17" …). Tags are indexed with the text, so a filter is part of the full-text match (an
inverted-index intersection on both backends), and facet counts are tallies of the tags of the
hits. Tags contain "_", which analysed words never do, so the two cannot collide.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter

from django.utils.translation import gettext_lazy as _

from catalog.models import AccessibilityFeature, Audience, MaterialType
from search.languages import language_name

ALL = "_all"  # carried by every document: "the whole catalogue"

# (key, first year, last year, label)
YEAR_RANGES: tuple[tuple[str, int | None, int | None, object], ...] = (
    ("ge2020", 2020, None, _("2020 and later")),
    ("2010_2019", 2010, 2019, "2010–2019"),
    ("2000_2009", 2000, 2009, "2000–2009"),
    ("1950_1999", 1950, 1999, "1950–1999"),
    ("1900_1949", 1900, 1949, "1900–1949"),
    ("lt1900", None, 1899, _("Before 1900")),
)
YEAR_KEYS = tuple(key for key, *_rest in YEAR_RANGES)

# Material types that are themselves an accessible format.
ACCESSIBLE_MATERIAL = {
    MaterialType.LARGE_PRINT: AccessibilityFeature.LARGE_PRINT,
    MaterialType.BRAILLE: AccessibilityFeature.BRAILLE,
    MaterialType.AUDIOBOOK: AccessibilityFeature.AUDIO,
}

DDC_HUNDREDS = {
    "0": _("Computer science, information and general works"),
    "1": _("Philosophy and psychology"),
    "2": _("Religion"),
    "3": _("Social sciences"),
    "4": _("Language"),
    "5": _("Science"),
    "6": _("Technology"),
    "7": _("Arts and recreation"),
    "8": _("Literature"),
    "9": _("History and geography"),
}

_LANGUAGE = re.compile(r"^[a-z]{3}$")
_DDC = re.compile(r"^\d{1,2}$")
_DDC_LEADING = re.compile(r"^\s*\[?(\d{3})")


def year_range(year: int | None) -> str | None:
    if year is None:
        return None
    for key, first, last, _label in YEAR_RANGES:
        if (first is None or year >= first) and (last is None or year <= last):
            return key
    return None


def ddc_digits(ddc: str) -> str:
    """The three class digits of a DDC number ('899.2213' -> '899'), or ''."""
    match = _DDC_LEADING.match(ddc or "")
    return match.group(1) if match else ""


def document_tags(
    *,
    material_type: str,
    language: str,
    year: int | None,
    audience: str,
    accessibility_features: Iterable[str],
    ddc: str,
    subject_ids: Iterable[int],
    holdings: Mapping[int, tuple[int, int]],
) -> list[str]:
    """The tags of one record. `holdings`: branch id -> (copies shown, copies available)."""
    tags = [ALL]
    if material_type:
        tags.append(f"mt_{material_type}")
    language = (language or "").lower()
    if _LANGUAGE.match(language):
        tags.append(f"la_{language}")
    years = year_range(year)
    if years:
        tags.append(f"yr_{years}")
    if audience:
        tags.append(f"au_{audience}")
    features = {f for f in accessibility_features or () if f in AccessibilityFeature.values}
    if material_type in ACCESSIBLE_MATERIAL:
        features.add(ACCESSIBLE_MATERIAL[material_type])
    tags.extend(f"ac_{feature}" for feature in sorted(features))
    digits = ddc_digits(ddc)
    if digits:
        tags.extend((f"dd_{digits[0]}", f"dd_{digits[:2]}"))
    tags.extend(f"su_{pk}" for pk in subject_ids)
    available_anywhere = False
    for branch_id, (total, available) in sorted(holdings.items()):
        if total:
            tags.append(f"br_{branch_id}")
        if available:
            tags.append(f"av_{branch_id}")
            available_anywhere = True
    if available_anywhere:
        tags.append("av_any")
    return list(dict.fromkeys(tags))


# ---------------------------------------------------------------------------------------------
# Filters


@dataclass(frozen=True)
class Filters:
    """What a search is narrowed to. Several values of one facet: any of them; several
    facets: all of them."""

    material_type: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    year: tuple[str, ...] = ()
    subject: tuple[int, ...] = ()
    branch: tuple[int, ...] = ()  # branch ids
    available: bool = False
    accessible: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    ddc: str = ""

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in self.__dataclass_fields__)

    def tag_groups(self) -> list[list[str]]:
        """The filters as tags: every group must match, any tag within a group."""
        groups = [
            [f"mt_{v}" for v in self.material_type],
            [f"la_{v}" for v in self.language],
            [f"yr_{v}" for v in self.year],
            [f"su_{v}" for v in self.subject],
            [f"br_{v}" for v in self.branch],
            [f"ac_{v}" for v in self.accessible],
            [f"au_{v}" for v in self.audience],
            [f"dd_{self.ddc}"] if self.ddc else [],
        ]
        if self.available:
            groups.append([f"av_{v}" for v in self.branch] if self.branch else ["av_any"])
        return [group for group in groups if group]

    def as_params(self, branch_codes: Mapping[int, str]) -> list[tuple[str, str]]:
        """The filters as URL parameters (branches by code)."""
        params: list[tuple[str, str]] = []
        for name in ("material_type", "language", "year", "subject", "accessible", "audience"):
            params.extend((name, str(value)) for value in getattr(self, name))
        params.extend(("branch", branch_codes[pk]) for pk in self.branch if pk in branch_codes)
        if self.available:
            params.append(("available", "1"))
        if self.ddc:
            params.append(("ddc", self.ddc))
        return params


def _values(params: Mapping, name: str) -> list[str]:
    if hasattr(params, "getlist"):
        raw = params.getlist(name)
    else:
        raw = params.get(name) or []
        if isinstance(raw, str | int | bool):
            raw = [raw]
    return [str(value).strip() for value in raw if str(value).strip()][:50]


def parse_filters(params: Mapping, *, branches: Mapping[str, int]) -> Filters:
    """Filters from request parameters or an API call. Unknown values are dropped: a filter
    link from an old page must not break the search. `branches`: code -> id."""

    def known(name: str, allowed) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v for v in _values(params, name) if v in allowed))

    subjects = tuple(
        dict.fromkeys(int(v) for v in _values(params, "subject") if v.isdigit() and len(v) < 19)
    )
    branch_ids = tuple(
        dict.fromkeys(branches[v] for v in _values(params, "branch") if v in branches)
    )
    available = _values(params, "available")
    ddc = next((v for v in _values(params, "ddc") if _DDC.match(v)), "")
    return Filters(
        material_type=known("material_type", set(MaterialType.values)),
        language=tuple(
            dict.fromkeys(
                v.lower() for v in _values(params, "language") if _LANGUAGE.match(v.lower())
            )
        ),
        year=known("year", set(YEAR_KEYS)),
        subject=subjects,
        branch=branch_ids,
        available=bool(available) and available[0].lower() not in ("0", "false", "no", "off"),
        accessible=known("accessible", set(AccessibilityFeature.values)),
        audience=known("audience", set(Audience.values)),
        ddc=ddc,
    )


# ---------------------------------------------------------------------------------------------
# Counting and labelling


@dataclass
class FacetValue:
    key: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Facet:
    name: str  # the URL parameter
    label: str
    values: list[FacetValue] = field(default_factory=list)

    @property
    def has_selection(self) -> bool:
        return any(value.selected for value in self.values)


FACET_ORDER = (
    ("available", "av", _("Availability")),
    ("material_type", "mt", _("Material type")),
    ("branch", "br", _("Branch")),
    ("language", "la", _("Language")),
    ("year", "yr", _("Year published")),
    ("subject", "su", _("Subject")),
    ("accessible", "ac", _("Accessible format")),
    ("audience", "au", _("Audience")),
)
TOP_SUBJECTS = 10
TOP_LANGUAGES = 12


def tally(tag_lists: Iterable[str]) -> dict[str, dict[str, int]]:
    """prefix -> value -> number of documents, over space-separated tag strings
    ("mt_book la_ind" counts mt: book, la: ind)."""
    grouped: dict[str, dict[str, int]] = {}
    for tag, count in Counter(chain.from_iterable(tags.split() for tags in tag_lists)).items():
        if tag[2:3] == "_":
            grouped.setdefault(tag[:2], {})[tag[3:]] = count
    return grouped


def build_facets(
    counts: Mapping[str, Mapping[str, int]],
    filters: Filters,
    *,
    branches: Mapping[int, tuple[str, str]],
    subject_headings: Mapping[int, str],
) -> list[Facet]:
    """Labelled facets from tally()'s counts, selected values shown even when not counted.
    `branches`: id -> (code, name); a branch's facet value is its code."""
    facets = []
    for name, prefix, label in FACET_ORDER:
        values = counts.get(prefix, {})
        facet = Facet(name=name, label=str(label))
        if name == "available":
            if filters.branch:
                count = max((values.get(str(pk), 0) for pk in filters.branch), default=0)
            else:
                count = values.get("any", 0)
            if count or filters.available:
                facet.values.append(
                    FacetValue("1", str(_("Available now")), count, filters.available)
                )
        elif name == "material_type":
            labels = dict(MaterialType.choices)
            facet.values = _counted(values, filters.material_type, labels)
        elif name == "branch":
            selected = {str(pk) for pk in filters.branch}
            keys = [k for k, _n in sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))]
            keys += sorted(selected - set(values))
            facet.values = [
                FacetValue(*branches[int(key)], values.get(key, 0), key in selected)
                for key in keys
                if key.isdigit() and int(key) in branches
            ]
        elif name == "language":
            facet.values = _counted(values, filters.language, None, limit=TOP_LANGUAGES)
            for value in facet.values:
                value.label = language_name(value.key)
        elif name == "year":
            selected = set(filters.year)
            facet.values = [
                FacetValue(key, str(text), values.get(key, 0), key in selected)
                for key, _first, _last, text in YEAR_RANGES
                if values.get(key) or key in selected
            ]
        elif name == "subject":
            selected = {str(pk) for pk in filters.subject}
            keys = [str(pk) for pk in top_subject_ids(counts, Filters())]
            keys += sorted(selected - set(keys))
            facet.values = [
                FacetValue(key, subject_headings[int(key)], values.get(key, 0), key in selected)
                for key in keys
                if key.isdigit() and int(key) in subject_headings
            ]
        elif name == "accessible":
            facet.values = _counted(values, filters.accessible, dict(AccessibilityFeature.choices))
        elif name == "audience":
            facet.values = _counted(values, filters.audience, dict(Audience.choices))
        if facet.values:
            facets.append(facet)
    return facets


def _counted(values: Mapping[str, int], selected, labels, *, limit: int = 50) -> list[FacetValue]:
    chosen = set(selected)
    rows = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    keys = [key for key, _count in rows] + sorted(chosen - {key for key, _c in rows})
    return [
        FacetValue(
            key, str(labels.get(key, key)) if labels else key, values.get(key, 0), key in chosen
        )
        for key in keys
        if labels is None or key in labels
    ]


def top_subject_ids(counts: Mapping[str, Mapping[str, int]], filters: Filters) -> list[int]:
    """The subjects a facet list shows: the most frequent ones (most first), then the
    selected ones."""
    top = heapq.nlargest(TOP_SUBJECTS, counts.get("su", {}).items(), key=itemgetter(1))
    ids = [int(key) for key, _count in top if key.isdigit()]
    return ids + [pk for pk in filters.subject if pk not in ids]
