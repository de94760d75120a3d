"""MARC21 bibliographic records to catalogue records and back.

`parsed_from_marc` reads a pymarc record into the `ParsedRecord` every importer produces, with
its copies from the holdings fields (Koha 952, Unicorn 949, MARC 852). The whole original record
travels along in `marc` (pymarc's JSON form), so that `marc_from_record` can give it back
exactly; records catalogued here are built from their fields, with their items as 952.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from json.encoder import encode_basestring_ascii as _quote
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from pymarc import Field, Indicators, Leader, Subfield
from pymarc import Record as MarcRecord

from catalog.importing.values import (
    ValueProblem,
    collection_code,
    first_year,
    parse_date,
    parse_price,
    source_code,
)
from catalog.models import (
    Audience,
    Collection,
    ContributorRole,
    ItemSource,
    ItemStatus,
    MaterialType,
)
from catalog.normalize import clean_heading
from catalog.records import ParsedContributor, ParsedItem, ParsedRecord

if TYPE_CHECKING:
    from catalog.models import Record

# ISO 2709 writes the record length in five digits and each field's length in four.
MAX_RECORD_BYTES = 99_999
MAX_FIELD_BYTES = 9_999

# ---------------------------------------------------------------------------------------------
# Small helpers


# (Subfields are unpacked as (code, value) pairs: quicker than their named attributes.)


def _values(field: Field, codes: str) -> list[str]:
    return [value for code, value in field.subfields if code in codes and value is not None]


def first_subfield(field: Field | None, code: str) -> str:
    """The first non-empty subfield `code` of `field` ('' when there is none)."""
    if field is None:
        return ""
    for sub_code, value in field.subfields:
        if sub_code == code and value:
            return value
    return ""


_first = first_subfield


def _firsts(field: Field) -> dict[str, str]:
    """The first non-empty value of each subfield code, for a field read many times."""
    found: dict[str, str] = {}
    for code, value in reversed(field.subfields):
        if value:
            found[code] = value
    return found


def _join(parts: Iterable[str], separator: str = " ") -> str:
    return separator.join([part for part in map(str.strip, filter(None, parts)) if part])


def _clean(text: str) -> str:
    return clean_heading(text or "")


_BRACKETS = re.compile(r"^\[(.*?)\]?$|^(.*?)\]$")
_UNKNOWN_PLACE = {"s.l", "s. l", "sl", "s.n", "s. n", "sn", "n.p", "np", "tanpa tempat"}


def _unbracket(text: str) -> str:
    """'[Jakarta] :' -> 'Jakarta'; '[s.n.]' and 'S.l.' (unknown place/publisher) -> ''."""
    text = _clean(text).strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    elif text.startswith("[") and "]" not in text:
        text = text[1:]
    elif text.endswith("]") and "[" not in text:
        text = text[:-1]
    text = _clean(text)
    if text.casefold().strip(". ") in _UNKNOWN_PLACE:
        return ""
    return text


class _Index:
    """A record's fields by tag, looked up once (pymarc's `get` walks the whole record)."""

    __slots__ = ("fields", "by_tag")

    def __init__(self, record: MarcRecord) -> None:
        self.fields = record.fields
        self.by_tag: dict[str, list[Field]] = {}
        for field in self.fields:
            self.by_tag.setdefault(field.tag, []).append(field)

    def get(self, tag: str) -> Field | None:
        found = self.by_tag.get(tag)
        return found[0] if found else None

    def get_fields(self, *tags: str) -> list[Field]:
        if len(tags) == 1:
            return self.by_tag.get(tags[0], [])
        wanted = set(tags)
        return [field for field in self.fields if field.tag in wanted]


def marc_dict(record: MarcRecord) -> dict[str, Any]:
    """pymarc's JSON form of a record (what `Record.as_dict()` gives), built faster."""
    fields: list[dict[str, Any]] = []
    for field in record.fields:
        if field.control_field:
            fields.append({field.tag: field.data})
        else:
            indicators = field.indicators
            fields.append(
                {
                    field.tag: {
                        "ind1": indicators[0],
                        "ind2": indicators[1],
                        "subfields": [{sub.code: sub.value} for sub in field.subfields],
                    }
                }
            )
    return {"leader": str(record.leader), "fields": fields}


def marc_json(record: MarcRecord) -> str:
    """`marc_dict(record)` as JSON text, the very text `json.dumps` gives, built directly
    (a third of the time, and no dictionaries to build and collect)."""
    quote = _quote
    parts = []
    for field in record.fields:
        if field.control_field:
            data = field.data
            parts.append(f"{{{quote(field.tag)}: {quote(data) if data is not None else 'null'}}}")
        else:
            first, second = field.indicators
            subfields = ", ".join(
                [
                    f"{{{quote(code)}: {quote(value) if value is not None else 'null'}}}"
                    for code, value in field.subfields
                ]
            )
            parts.append(
                f'{{{quote(field.tag)}: {{"ind1": {quote(first)}, "ind2": {quote(second)}, '
                f'"subfields": [{subfields}]}}}}'
            )
    return f'{{"leader": {quote(str(record.leader))}, "fields": [{", ".join(parts)}]}}'


def control(record: _Index, tag: str) -> str:
    field = record.get(tag)
    return (field.data or "") if field is not None and field.is_control_field() else ""


# ---------------------------------------------------------------------------------------------
# Type, audience, language

_TEXT_TYPES = {"a", "t"}
_SERIAL_LEVELS = {"b", "i", "s"}
_AUDIENCE_TYPES = {"a", "t", "c", "d", "i", "j", "g", "k", "o", "r", "m"}
_AUDIENCES = {
    "a": Audience.CHILDREN,
    "b": Audience.CHILDREN,
    "c": Audience.CHILDREN,
    "j": Audience.CHILDREN,
    "d": Audience.TEENS,
    "e": Audience.ADULTS,
    "f": Audience.ADULTS,
}
_TYPES_BY_LEADER = {
    "c": MaterialType.SCORE,
    "d": MaterialType.SCORE,
    "e": MaterialType.MAP,
    "f": MaterialType.MAP,
    "g": MaterialType.VIDEO,
    "i": MaterialType.AUDIOBOOK,
    "j": MaterialType.SOUND_RECORDING,
    "k": MaterialType.KIT,
    "m": MaterialType.EBOOK,
    "o": MaterialType.KIT,
    "p": MaterialType.KIT,
    "r": MaterialType.KIT,
}


def material_type_of(leader: str, field_008: str) -> tuple[str, list[str]]:
    """Material type from leader/06-07 and the form of item (008/23), and the accessibility
    features that form implies (large print, braille)."""
    kind = leader[6:7]
    level = leader[7:8]
    form = field_008[23:24] if len(field_008) > 23 else ""
    features: list[str] = []
    if kind in _TEXT_TYPES or kind in {"", " "}:
        if level in _SERIAL_LEVELS:
            material = MaterialType.SERIAL
        elif level == "a":
            material = MaterialType.ARTICLE
        else:
            material = MaterialType.BOOK
        if form in {"o", "q", "s"} and material == MaterialType.BOOK:
            material = MaterialType.EBOOK
    else:
        material = _TYPES_BY_LEADER.get(kind, MaterialType.BOOK)
    if kind in _TEXT_TYPES | {"c", "d", "", " "}:
        if form == "d":
            features.append("large_print")
            if material == MaterialType.BOOK:
                material = MaterialType.LARGE_PRINT
        elif form == "f":
            features.append("braille")
            if material == MaterialType.BOOK:
                material = MaterialType.BRAILLE
    return str(material), features


def audience_of(leader: str, field_008: str) -> str:
    kind, level = leader[6:7], leader[7:8]
    if kind not in _AUDIENCE_TYPES or (kind in _TEXT_TYPES and level in _SERIAL_LEVELS):
        return ""
    code = field_008[22:23] if len(field_008) > 22 else ""
    return str(_AUDIENCES.get(code, ""))


_LANGUAGE_CODE = re.compile(r"[a-z]{3}")


def language_of(record: _Index, field_008: str) -> str:
    code = field_008[35:38].strip().lower() if len(field_008) >= 38 else ""
    if _LANGUAGE_CODE.fullmatch(code) and code not in {"und", "zxx", "mul"}:
        return code
    for field in record.get_fields("041"):
        value = _first(field, "a").strip().lower()[:3]
        if _LANGUAGE_CODE.fullmatch(value):
            return value
    return code if _LANGUAGE_CODE.fullmatch(code) else ""


# ---------------------------------------------------------------------------------------------
# Contributors

RELATOR_CODES = {
    "aut": ContributorRole.AUTHOR,
    "cre": ContributorRole.AUTHOR,
    "cmp": ContributorRole.AUTHOR,
    "edt": ContributorRole.EDITOR,
    "pbd": ContributorRole.EDITOR,
    "trl": ContributorRole.TRANSLATOR,
    "ill": ContributorRole.ILLUSTRATOR,
    "art": ContributorRole.ILLUSTRATOR,
    "com": ContributorRole.COMPILER,
    "ctb": ContributorRole.CONTRIBUTOR,
}
RELATOR_TERMS = {
    "author": ContributorRole.AUTHOR,
    "pengarang": ContributorRole.AUTHOR,
    "penulis": ContributorRole.AUTHOR,
    "composer": ContributorRole.AUTHOR,
    "creator": ContributorRole.AUTHOR,
    "editor": ContributorRole.EDITOR,
    "ed": ContributorRole.EDITOR,
    "eds": ContributorRole.EDITOR,
    "penyunting": ContributorRole.EDITOR,
    "translator": ContributorRole.TRANSLATOR,
    "tr": ContributorRole.TRANSLATOR,
    "trans": ContributorRole.TRANSLATOR,
    "penerjemah": ContributorRole.TRANSLATOR,
    "penterjemah": ContributorRole.TRANSLATOR,
    "alih bahasa": ContributorRole.TRANSLATOR,
    "illustrator": ContributorRole.ILLUSTRATOR,
    "ill": ContributorRole.ILLUSTRATOR,
    "ilustrator": ContributorRole.ILLUSTRATOR,
    "ilustrasi": ContributorRole.ILLUSTRATOR,
    "artist": ContributorRole.ILLUSTRATOR,
    "compiler": ContributorRole.COMPILER,
    "comp": ContributorRole.COMPILER,
    "penyusun": ContributorRole.COMPILER,
}


def _role(field: Field, default: str) -> str:
    for code in _values(field, "4"):
        role = RELATOR_CODES.get(code.strip().lower()[:3])
        if role:
            return str(role)
    for term in _values(field, "e"):
        key = term.strip().lower().strip(" .,;:")
        role = RELATOR_TERMS.get(key)
        if role:
            return str(role)
    return str(default)


def contributors_of(record: _Index) -> list[ParsedContributor]:
    people: list[ParsedContributor] = []
    for field in record.get_fields("100", "110", "111", "700", "710", "711"):
        main_entry = field.tag.startswith("1")
        if field.tag.endswith("00"):
            name = _join(_values(field, "abc"))
            dates = _first(field, "d")
            role = _role(
                field, ContributorRole.AUTHOR if main_entry else ContributorRole.CONTRIBUTOR
            )
        elif field.tag.endswith("10"):
            name = _join((_clean(part) for part in _values(field, "ab")), ". ")
            dates = ""
            role = str(ContributorRole.CORPORATE)
        else:
            name = _join(_values(field, "aq"))
            dates = _first(field, "d")
            role = str(ContributorRole.MEETING)
        name = _clean(name)
        if name:
            people.append(ParsedContributor(name, role, _clean(dates).strip("() ")))
    return people


# ---------------------------------------------------------------------------------------------
# Subjects

_SUBDIVISIONS = "vxyz"
_HEADING = "abcdfgklmnopqrst"


# Subject access fields MARC21 defines, and the 69X block libraries use for local subjects
# (other x9 tags such as 659 carry local codes, not headings).
SUBJECT_TAGS = frozenset(
    {"600", "610", "611", "630", "647", "648", "650", "651", "653", "654", "655", "656", "657"}
    | {"658", "662", "688"}
    | {f"69{digit}" for digit in range(10)}
)
NOTE_TAGS = frozenset({f"5{n:02d}" for n in range(89)} | {"590"}) - {"520"}


def subjects_of(record: _Index) -> list[str]:
    headings: list[str] = []
    for field in record.fields:
        if field.tag not in SUBJECT_TAGS or field.is_control_field():
            continue
        if field.tag == "653":  # uncontrolled index terms: every $a is a term
            headings.extend(term for term in map(_clean, _values(field, "a")) if term)
            continue
        parts: list[list[str]] = [[]]
        for code, value in field.subfields:
            if code in _SUBDIVISIONS:
                parts.append([value])
            elif code in _HEADING:
                parts[-1].append(value)
        heading = " -- ".join([text for text in (_clean(_join(part)) for part in parts) if text])
        if heading:
            headings.append(heading)
    return headings


# ---------------------------------------------------------------------------------------------
# Holdings

_CODE_LIKE = re.compile(r"^\S{1,20}$")
_NOT_ZERO = re.compile(r"^-?[1-9]\d*$")


def _notes(*lines: str) -> str:
    return "\n".join(line for line in lines if line)


def _price(value: str, warnings: list[str], where: str) -> int | None:
    try:
        return parse_price(value)
    except ValueProblem:
        warnings.append(
            _("%(where)s: price “%(value)s” is not a number; left empty")
            % {"where": where, "value": value[:30]}
        )
        return None


def _date(value: str, warnings: list[str], where: str):
    try:
        return parse_date(value)
    except ValueProblem:
        warnings.append(
            _("%(where)s: date “%(value)s” is not a date; left empty")
            % {"where": where, "value": value[:30]}
        )
        return None


_WORDS = re.compile(r"[\s\-_/]+")


def _collection(*codes: str) -> tuple[str, str]:
    """Our collection for a code in the file, and a note when the code meant nothing to us."""
    for code in codes:
        if not code:
            continue
        found = collection_code(code)
        if not found:
            for word in _WORDS.split(code):
                found = collection_code(word)
                if found:
                    break
        if found:
            return str(found), ""
    unknown = next((code for code in codes if code), "")
    return str(Collection.GENERAL), (
        _("Collection code in the imported file: %(code)s") % {"code": unknown} if unknown else ""
    )


def _koha_item(field: Field, warnings: list[str]) -> ParsedItem | None:
    get = _firsts(field).get
    barcode = get("p", "").strip()
    branch = (get("a", "") or get("b", "")).strip()
    if not barcode and not (branch and _CODE_LIKE.match(branch)):
        text = _join(value for _code, value in field.subfields)[:60]
        warnings.append(
            _("952 ignored: it has no barcode and no branch code (%(text)s)") % {"text": text}
        )
        return None
    where = f"952 {barcode or branch}"
    status = ItemStatus.AVAILABLE
    notes: list[str] = []
    lost = get("1", "").strip()
    if _NOT_ZERO.match(get("0", "").strip()):
        status = ItemStatus.WITHDRAWN
    elif _NOT_ZERO.match(lost):
        status = ItemStatus.MISSING if lost == "4" else ItemStatus.LOST
    elif _NOT_ZERO.match(get("4", "").strip()):
        status = ItemStatus.REPAIR
    not_for_loan = get("7", "").strip()
    if _NOT_ZERO.match(not_for_loan):
        if not_for_loan.startswith("-"):
            status = ItemStatus.IN_PROCESSING if status == ItemStatus.AVAILABLE else status
        else:
            notes.append(_("Not for loan"))
    collection, collection_note = _collection(get("8", ""), get("c", ""))
    source = ""
    donor = ""
    acquired_from = get("e", "").strip()
    if acquired_from and source_code(acquired_from.split()[0]) == ItemSource.DONATION:
        source, donor = str(ItemSource.DONATION), acquired_from
    return ParsedItem(
        barcode=barcode,
        branch_code=branch if _CODE_LIKE.match(branch or "") else "",
        shelf_location=get("c", ""),
        collection=collection,
        call_number=get("o", ""),
        status=str(status),
        price=_price(get("g", "") or get("v", ""), warnings, where),
        source=source,
        donor=donor,
        acquired_on=_date(get("d", ""), warnings, where),
        notes=_notes(*notes, collection_note, get("z", ""), get("x", "")),
    )


def _unicorn_item(field: Field, warnings: list[str]) -> ParsedItem | None:
    if not any(_first(field, code) for code in "ilam"):
        return None
    location = _first(field, "l")
    collection, _note = _collection(location)
    return ParsedItem(
        barcode=_first(field, "i").strip(),
        branch_code=_first(field, "m").strip(),
        shelf_location=location,
        collection=collection,
        call_number=_join([_first(field, "a"), _first(field, "b")]),
    )


def _holdings_item(field: Field, warnings: list[str]) -> ParsedItem | None:
    """852 is a location statement; only one naming a copy (barcode, call number, shelf)
    becomes an item. LC's '852 $a Library of Congress $b Prints and Photographs' does not."""
    if not any(_first(field, code) for code in "phijc"):
        return None
    call_number = _join(_values(field, "khim")) or _first(field, "j")
    collection, _note = _collection(_first(field, "c"))
    return ParsedItem(
        barcode=_first(field, "p").strip(),
        branch_code=(_first(field, "b") or _first(field, "a")).strip(),
        shelf_location=_first(field, "c"),
        collection=collection,
        call_number=call_number,
        notes=_notes(_first(field, "z"), _first(field, "x")),
    )


def items_of(record: _Index, warnings: list[str]) -> list[ParsedItem]:
    """Copies from the first holdings convention the record uses: Koha 952, else Unicorn 949,
    else 852 (never two conventions at once, which would count one copy twice)."""
    for tag, reader in (("952", _koha_item), ("949", _unicorn_item), ("852", _holdings_item)):
        fields = record.get_fields(tag)
        if not fields:
            continue
        items = [item for item in (reader(field, warnings) for field in fields) if item]
        if items:
            return items
    return []


# ---------------------------------------------------------------------------------------------
# The record


def _title_parts(field: Field | None) -> tuple[str, str, str]:
    if field is None:
        return "", "", ""
    title = _clean(_join(_values(field, "anp") or _values(field, "k")))
    return title, _clean(_join(_values(field, "b"))), _clean(_join(_values(field, "c")))


def _vernacular_title(record: _Index) -> str:
    for field in record.get_fields("880"):
        if _first(field, "6").startswith("245"):
            title, subtitle, _resp = _title_parts(field)
            return f"{title} : {subtitle}" if subtitle else title
    return ""


def _publication(record: _Index) -> tuple[str, str, int | None]:
    candidates = [f for f in record.get_fields("264") if f.indicator2 == "1"]
    candidates += record.get_fields("260")
    candidates += [f for f in record.get_fields("264") if f.indicator2 not in {"1", "4"}]
    place = publisher = ""
    year = None
    for field in candidates:
        place = place or _unbracket(_first(field, "a"))
        publisher = publisher or _unbracket(_first(field, "b"))
        if year is None:
            year = next((first_year(v) for v in _values(field, "c") if first_year(v)), None)
    if year is None:
        for field in record.get_fields("264"):
            year = year or next((first_year(v) for v in _values(field, "c") if first_year(v)), None)
    return place, publisher, year


_NOT_LETTERS = re.compile(r"[\W\d_]+")


def _cutter(record: _Index, title: str) -> str:
    """The Indonesian spine-label cutter: three letters of the main entry, one of the title."""
    main = record.get("100") or record.get("110") or record.get("111")
    name = _first(main, "a") if main is not None else ""
    title_field = record.get("245")
    skip = 0
    if title_field is not None and title_field.indicator2.isdigit():
        skip = int(title_field.indicator2)
    title_letters = _NOT_LETTERS.sub("", title[skip:] if skip < len(title) else title)
    name_letters = _NOT_LETTERS.sub("", name) or title_letters
    if not name_letters:
        return ""
    return f"{name_letters[:3].upper()} {title_letters[:1].lower()}".strip()


def call_number_of(record: _Index, ddc: str, title: str) -> str:
    for tag in ("090", "092", "099"):
        field = record.get(tag)
        if field is not None and not field.is_control_field():
            number = _join(_values(field, "ab") if tag != "099" else _values(field, "a"))
            if number:
                return number[:100]
    if ddc:
        return _join([ddc, _cutter(record, title)])[:100]
    return ""


def _notes_of(record: _Index) -> str:
    lines = []
    for field in record.fields:
        if field.tag in NOTE_TAGS and not field.is_control_field():
            line = _join(sub.value for sub in field.subfields if sub.code.isalpha())
            if line:
                lines.append(line)
    return "\n".join(lines)


def _series_of(record: _Index) -> str:
    for tag in ("490", "830", "440"):
        field = record.get(tag)
        if field is not None and not field.is_control_field():
            name = _clean(_join(_values(field, "anp")))
            volume = _clean(_join(_values(field, "v")))
            if name:
                return f"{name} ; {volume}" if volume else name
    return ""


def parsed_from_marc(record: MarcRecord, *, as_json: bool = False) -> ParsedRecord:
    """The catalogue's reading of a MARC21 bibliographic record (see the module docstring).
    Problems that do not stop the record (an ISBN in 020 $z, a 952 that is not an item) are
    listed in `warnings`. With `as_json`, the original comes as `marc_json` (text) rather
    than `marc`."""
    warnings: list[str] = []
    leader = str(record.leader)
    original = record
    record = _Index(original)
    field_008 = control(record, "008")
    title, subtitle, responsibility = _title_parts(record.get("245"))
    place, publisher, year = _publication(record)
    if year is None and field_008[7:11].isdigit() and int(field_008[7:11]):
        year = int(field_008[7:11])

    isbns: list[str] = []
    for field in record.get_fields("020"):
        isbns.extend(value for value in _values(field, "a") if value.strip())
        for cancelled in _values(field, "z"):
            if cancelled.strip():
                warnings.append(
                    _("020 $z: cancelled or invalid ISBN not used: %(isbn)s")
                    % {"isbn": cancelled[:40]}
                )
    ddc = ""
    field_082 = record.get("082")
    if field_082 is not None:
        ddc = _first(field_082, "a").replace("/", "").replace("'", "").strip()[:30]
    material, features = material_type_of(leader, field_008)
    summary = "\n\n".join(
        _join(_values(field, "ab")) for field in record.get_fields("520") if _values(field, "ab")
    )
    edition_field = record.get("250")
    physical = record.get("300")
    return ParsedRecord(
        title=title,
        subtitle=subtitle,
        responsibility=responsibility,
        title_vernacular=_vernacular_title(record),
        contributors=contributors_of(record),
        edition=_clean(_join(_values(edition_field, "ab"))) if edition_field else "",
        publisher=publisher,
        place=place,
        year=year,
        isbns=isbns,
        issn=_first(record.get("022"), "a").strip(),
        lccn=_first(record.get("010"), "a").strip(),
        language=language_of(record, field_008),
        ddc=ddc,
        call_number=call_number_of(record, ddc, title),
        subjects=subjects_of(record),
        series=_series_of(record),
        physical_description=_clean(_join(_values(physical, "abce"))) if physical else "",
        notes=_notes_of(record),
        summary=summary,
        audience=audience_of(leader, field_008),
        material_type=material,
        accessibility_features=features,
        control_number=control(record, "001").strip(),
        control_number_source=control(record, "003").strip(),
        marc=None if as_json else marc_dict(original),
        marc_json=marc_json(original) if as_json else None,
        source="marc",
        items=items_of(record, warnings),
        warnings=warnings,
    )


# ---------------------------------------------------------------------------------------------
# Back to MARC


def record_from_dict(data: dict[str, Any]) -> MarcRecord:
    """A pymarc record from its JSON form (`Record.as_dict()`), leader kept as it was."""
    record = MarcRecord()
    fields: list[Field] = []
    for entry in data.get("fields", []):
        ((tag, value),) = entry.items()
        if isinstance(value, dict):
            fields.append(
                Field(
                    tag=tag,
                    indicators=Indicators(value.get("ind1", " "), value.get("ind2", " ")),
                    subfields=[
                        Subfield(code=code, value=text)
                        for sub in value.get("subfields", [])
                        for code, text in sub.items()
                    ],
                )
            )
        else:
            fields.append(Field(tag=tag, data=value))
    record.fields = fields
    record.leader = Leader(str(data.get("leader") or "").ljust(24)[:24])
    return record


def iso2709_length(record: MarcRecord) -> int:
    """Bytes the record takes in ISO 2709 (UTF-8), without building it."""
    size = 24 + 1 + 1  # leader, directory terminator, record terminator
    for field in record.fields:
        size += 12  # directory entry
        if field.is_control_field():
            size += len((field.data or "").encode("utf-8")) + 1
        else:
            size += 2 + 1
            for sub in field.subfields:
                size += 1 + len(sub.code.encode("utf-8")) + len((sub.value or "").encode("utf-8"))
    return size


def fits_iso2709(record: MarcRecord) -> bool:
    """Whether ISO 2709 can hold the record: at most 99,999 bytes, each field at most 9,999."""
    if iso2709_length(record) > MAX_RECORD_BYTES:
        return False
    for field in record.fields:
        if field.is_control_field():
            length = len((field.data or "").encode("utf-8")) + 1
        else:
            length = 3 + sum(
                1 + len(sub.code.encode("utf-8")) + len((sub.value or "").encode("utf-8"))
                for sub in field.subfields
            )
        if length > MAX_FIELD_BYTES:
            return False
    return True


_HELD_BARCODES = (("952", "p"), ("949", "i"), ("852", "p"))


def _barcodes_in(record: MarcRecord) -> set[str]:
    found = set()
    for tag, code in _HELD_BARCODES:
        for field in record.get_fields(tag):
            found.update(value.strip() for value in _values(field, code))
    return found


def item_field(item) -> Field:
    """A catalog Item as a Koha-style 952 (the convention the importer reads back)."""
    subfields = [
        Subfield("a", item.branch.code),
        Subfield("b", item.branch.code),
    ]
    optional = [
        ("c", item.shelf_location),
        ("d", item.acquired_on.isoformat() if item.acquired_on else ""),
        ("e", item.donor),
        ("g", str(item.price) if item.price is not None else ""),
        ("o", item.call_number),
        ("p", item.barcode),
        ("8", item.collection if item.collection != Collection.GENERAL else ""),
        ("z", item.notes.replace("\n", "; ") if item.notes else ""),
    ]
    subfields += [Subfield(code, value) for code, value in optional if value]
    if item.status == ItemStatus.WITHDRAWN:
        subfields.append(Subfield("0", "1"))
    elif item.status in {ItemStatus.LOST, ItemStatus.MISSING}:
        subfields.append(Subfield("1", "4" if item.status == ItemStatus.MISSING else "1"))
    elif item.status == ItemStatus.REPAIR:
        subfields.append(Subfield("4", "1"))
    elif item.status == ItemStatus.IN_PROCESSING:
        subfields.append(Subfield("7", "-1"))
    return Field(tag="952", indicators=Indicators(" ", " "), subfields=subfields)


def marc_from_record(record: Record, *, items: Iterable | None = None) -> MarcRecord:
    """The MARC21 record of a catalogue record.

    A record that came in as MARC gives back its stored original exactly (880 fields and
    local fields included), plus a 952 for each copy added here since (one whose barcode its
    holdings fields do not carry). A record catalogued here is built from its fields.
    `items` saves a query when the caller has prefetched them."""
    items = list(items if items is not None else record.items.select_related("branch"))
    if record.marc:
        marc = record_from_dict(record.marc)
        if record.description_edited_at:
            marc = _with_edited_description(marc, record)
        held = _barcodes_in(marc)
        marc.fields.extend(item_field(item) for item in items if item.barcode not in held)
        return marc
    return _built_from_fields(record, items)


# The fields a cataloguer edits on Pustaka's record form. After an edit, the export takes these
# from the edited record and keeps every other field of the original (001/003, 040, 880, 856,
# local 9xx …).
EDITED_TAGS = (
    frozenset({"010", "020", "022", "082", "092", "100", "110", "111", "245", "250", "260"})
    | frozenset({"264", "300", "490", "520", "700", "710", "711"})
    | NOTE_TAGS
    | SUBJECT_TAGS
)


def _with_edited_description(original: MarcRecord, record: Record) -> MarcRecord:
    built = _built_from_fields(record, [])
    kept = [
        field
        for field in original.fields
        if field.tag not in EDITED_TAGS
        and field.tag != "005"
        and not (field.tag == "880" and first_subfield(field, "6").startswith("245"))
    ]
    edited = [field for field in built.fields if field.tag in EDITED_TAGS or field.tag == "005"]
    if record.title_vernacular:
        edited += [f for f in built.fields if f.tag == "880"]
    merged = MarcRecord(leader=original.leader, force_utf8=True)
    merged.leader = original.leader
    merged.fields = sorted(kept + edited, key=lambda field: field.tag)
    return merged


_LEADER_TYPES = {
    MaterialType.BOOK: "am",
    MaterialType.LARGE_PRINT: "am",
    MaterialType.BRAILLE: "am",
    MaterialType.EBOOK: "am",
    MaterialType.AUDIOBOOK: "im",
    MaterialType.SERIAL: "as",
    MaterialType.ARTICLE: "aa",
    MaterialType.VIDEO: "gm",
    MaterialType.MAP: "em",
    MaterialType.SCORE: "cm",
    MaterialType.SOUND_RECORDING: "jm",
    MaterialType.KIT: "om",
}
_FORMS = {MaterialType.LARGE_PRINT: "d", MaterialType.BRAILLE: "f", MaterialType.EBOOK: "o"}
_AUDIENCE_CODES = {Audience.CHILDREN: "j", Audience.TEENS: "d", Audience.ADULTS: "e"}
_ROLE_TERMS = {
    ContributorRole.AUTHOR: "author",
    ContributorRole.EDITOR: "editor",
    ContributorRole.TRANSLATOR: "translator",
    ContributorRole.ILLUSTRATOR: "illustrator",
    ContributorRole.COMPILER: "compiler",
    ContributorRole.CONTRIBUTOR: "contributor",
}


def _data(tag: str, ind: str, *pairs: tuple[str, str]) -> Field | None:
    subfields = [Subfield(code, value) for code, value in pairs if value]
    if not subfields:
        return None
    return Field(tag=tag, indicators=Indicators(ind[0], ind[1]), subfields=subfields)


def _field_008(record: Record) -> str:
    entered = record.created_at.strftime("%y%m%d") if record.created_at else "      "
    year = f"{record.year:04d}" if record.year else "    "
    chars = list(f"{entered}{'s' if record.year else 'n'}{year}    xx " + " " * 22)[:40]
    chars[22] = _AUDIENCE_CODES.get(record.audience, " ")
    chars[23] = _FORMS.get(record.material_type, " ")
    language = (record.language or "").ljust(3)[:3] if record.language else "   "
    chars[35:38] = list(language)
    chars[38:40] = [" ", "d"]
    return "".join(chars)


def _built_from_fields(record: Record, items: list) -> MarcRecord:
    kind = _LEADER_TYPES.get(record.material_type, "am")
    marc = MarcRecord(leader=f"00000n{kind} a2200000 i 4500")
    marc.leader = Leader(f"00000n{kind} a2200000 i 4500")
    add = marc.fields.append
    add(Field(tag="001", data=record.control_number or str(record.pk)))
    add(Field(tag="003", data=record.control_number_source or "Pustaka"))
    add(Field(tag="005", data=record.updated_at.strftime("%Y%m%d%H%M%S.0")))
    add(Field(tag="008", data=_field_008(record)))
    identifiers = list(record.identifiers.all())
    lccn = next((i.value for i in identifiers if i.kind == "lccn"), "")
    optional = [_data("010", "  ", ("a", lccn))]
    isbns = [i.value for i in identifiers if i.kind == "isbn"] or (
        [record.isbn] if record.isbn else []
    )
    optional += [_data("020", "  ", ("a", isbn)) for isbn in isbns]
    optional.append(_data("022", "  ", ("a", record.issn)))
    optional.append(_data("082", "04", ("a", record.ddc)))
    optional.append(_data("092", "  ", ("a", record.call_number)))
    people = list(record.record_contributors.all())
    main = next((p for p in people if p.role == ContributorRole.AUTHOR), None)
    for link in people:
        person = link.contributor
        if link.role == ContributorRole.CORPORATE:
            tag, pairs = "10", [("a", person.name)]
        elif link.role == ContributorRole.MEETING:
            tag, pairs = "11", [("a", person.name), ("d", person.dates)]
        else:
            tag, pairs = "00", [("a", person.name), ("d", person.dates)]
            pairs.append(("e", _ROLE_TERMS.get(link.role, "")))
        prefix = "1" if link is main else "7"
        optional.append(_data(prefix + tag, "1 " if tag == "00" else "2 ", *pairs))
    vernacular = bool(record.title_vernacular)
    title = record.title + (" :" if record.subtitle else (" /" if record.responsibility else ""))
    pairs = [("6", "880-01" if vernacular else ""), ("a", title)]
    if record.subtitle:
        pairs.append(("b", record.subtitle + (" /" if record.responsibility else "")))
    pairs.append(("c", record.responsibility))
    optional.append(_data("245", ("1" if main else "0") + "0", *pairs))
    optional.append(_data("250", "  ", ("a", record.edition)))
    optional.append(
        _data(
            "264",
            " 1",
            ("a", record.place + (" :" if record.publisher else "")),
            ("b", record.publisher + ("," if record.year else "")),
            ("c", str(record.year) if record.year else ""),
        )
    )
    optional.append(_data("300", "  ", ("a", record.physical_description)))
    optional.append(_data("490", "0 ", ("a", record.series)))
    optional += [_data("500", "  ", ("a", line)) for line in record.notes.splitlines()]
    optional.append(_data("520", "  ", ("a", record.summary)))
    for link in record.record_subjects.all():
        parts = [part.strip() for part in link.subject.heading.split(" -- ")]
        pairs = [("a", parts[0])] + [("x", part) for part in parts[1:]]
        optional.append(_data("650", " 4", *pairs))
    if vernacular:
        optional.append(_data("880", "00", ("6", "245-01"), ("a", record.title_vernacular)))
    marc.fields.extend(field for field in optional if field is not None)
    marc.fields.extend(item_field(item) for item in items)
    return marc
