"""Reading the values that importers meet in MARC subfields and spreadsheet cells: prices in
Rupiah however they are written, dates, years, and the words (Indonesian and English) libraries
use for languages, collections, statuses, audiences and material types.

Pure functions over strings: no database, no Django models."""

from __future__ import annotations

import datetime as dt
import re

from catalog.models import Audience, Collection, ItemSource, ItemStatus, MaterialType
from catalog.normalize import fold


class ValueProblem(ValueError):
    """A value that cannot be read as what its column or subfield should hold."""


_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_CELL_YEAR = re.compile(r"^\s*[\[(]?\s*(?:c|©|p|cop\.?)?\s*(\d{3,4})\s*[?\])]?\.?\s*$", re.I)


def first_year(text: str) -> int | None:
    """The first four-digit year in a MARC date ('c1998', '[1999?]', '1995-96'), or None."""
    match = _YEAR.search(text or "")
    if not match:
        return None
    year = int(match.group(1))
    return year or None


def parse_year(value: object) -> int | None:
    """A spreadsheet cell holding a year: 2005, 2005.0, '2005', 'c2005', '[2005]'. Empty is
    None; anything else raises ValueProblem."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueProblem(str(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.year
    if isinstance(value, int | float):
        if float(value).is_integer() and 1 <= value <= 9999:
            return int(value)
        raise ValueProblem(str(value))
    match = _CELL_YEAR.match(str(value))
    if not match:
        raise ValueProblem(str(value))
    year = int(match.group(1))
    if year < 1:
        raise ValueProblem(str(value))
    return year


_CURRENCY = re.compile(r"(?i)\b(rp|idr|usd|us\$|eur|\$|€|£)\.?")


def parse_price(value: object) -> int | None:
    """A price in whole Rupiah. Understands 45000, 45000.0, 'Rp 45.000', 'Rp45.000,00',
    '45,000.00' and '12.50' (a decimal price, rounded). Empty is None; a negative or non-numeric
    price raises ValueProblem."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueProblem(str(value))
    if isinstance(value, int | float):
        if value < 0:
            raise ValueProblem(str(value))
        return round(value)
    text = _CURRENCY.sub("", str(value)).replace(" ", "").replace("\u00a0", "").strip()
    text = text.rstrip(",-").rstrip(".")
    if not text:
        return None
    if not re.fullmatch(r"[0-9.,]+", text):
        raise ValueProblem(str(value))
    if "." in text and "," in text:
        decimal = "." if text.rfind(".") > text.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        text = text.replace(thousands, "").replace(decimal, ".")
    elif "." in text or "," in text:
        mark = "." if "." in text else ","
        groups = text.split(mark)
        # 45.000 / 1.250.000 (Indonesian thousands) versus 12.50 (decimals)
        if len(groups) > 2 or (len(groups[-1]) == 3 and groups[0] != "0"):
            text = "".join(groups)
        else:
            text = text.replace(mark, ".")
    try:
        amount = float(text)
    except ValueError as error:
        raise ValueProblem(str(value)) from error
    return round(amount)


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%Y%m%d", "%d/%m/%y")


def parse_date(value: object) -> dt.date | None:
    """A date: a spreadsheet date, '2024-05-01', '01/05/2024' (day first, as Indonesia writes
    it), '20240501'. Empty is None; anything else raises ValueProblem."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    text = text.split("T")[0].split(" ")[0]
    for pattern in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueProblem(str(value))


def parse_count(value: object) -> int:
    """A number of copies: a whole number from 0 to 1000."""
    if value is None or value == "":
        return 0
    try:
        number = float(str(value).strip()) if not isinstance(value, int | float) else value
    except ValueError as error:
        raise ValueProblem(str(value)) from error
    if not float(number).is_integer() or not 0 <= number <= 1000:
        raise ValueProblem(str(value))
    return int(number)


def _lookup(table: dict[str, str], value: object) -> str | None:
    key = fold(str(value or "")).strip(" .")
    if not key:
        return ""
    return table.get(key)


LANGUAGES = {
    "ind": "ind",
    "id": "ind",
    "indonesia": "ind",
    "indonesian": "ind",
    "bahasa indonesia": "ind",
    "eng": "eng",
    "en": "eng",
    "english": "eng",
    "inggris": "eng",
    "bahasa inggris": "eng",
    "may": "may",
    "ms": "may",
    "melayu": "may",
    "malay": "may",
    "jav": "jav",
    "jawa": "jav",
    "javanese": "jav",
    "sun": "sun",
    "sunda": "sun",
    "sundanese": "sun",
    "ara": "ara",
    "ar": "ara",
    "arab": "ara",
    "arabic": "ara",
    "chi": "chi",
    "zh": "chi",
    "mandarin": "chi",
    "chinese": "chi",
    "jpn": "jpn",
    "ja": "jpn",
    "jepang": "jpn",
    "japanese": "jpn",
    "dut": "dut",
    "nl": "dut",
    "belanda": "dut",
    "dutch": "dut",
    "fre": "fre",
    "fr": "fre",
    "perancis": "fre",
    "prancis": "fre",
    "french": "fre",
    "ger": "ger",
    "de": "ger",
    "jerman": "ger",
    "german": "ger",
}


def language_code(value: object) -> str | None:
    """ISO 639-2 code for 'Indonesia', 'Inggris', 'en', 'ind' …; an unknown three-letter code
    passes through; None when the value cannot be read."""
    code = _lookup(LANGUAGES, value)
    if code is None:
        text = str(value).strip().lower()
        return text if re.fullmatch(r"[a-z]{3}", text) else None
    return code


COLLECTIONS = {
    "general": Collection.GENERAL,
    "umum": Collection.GENERAL,
    "gen": Collection.GENERAL,
    "children": Collection.CHILDREN,
    "child": Collection.CHILDREN,
    "anak": Collection.CHILDREN,
    "anak-anak": Collection.CHILDREN,
    "juv": Collection.CHILDREN,
    "juvenile": Collection.CHILDREN,
    "j": Collection.CHILDREN,
    "reference": Collection.REFERENCE,
    "referensi": Collection.REFERENCE,
    "rujukan": Collection.REFERENCE,
    "ref": Collection.REFERENCE,
    "local": Collection.LOCAL_CONTENT,
    "local content": Collection.LOCAL_CONTENT,
    "lokal": Collection.LOCAL_CONTENT,
    "muatan lokal": Collection.LOCAL_CONTENT,
    "deposit": Collection.LOCAL_CONTENT,
}


def collection_code(value: object) -> str | None:
    return _lookup(COLLECTIONS, value)


STATUSES = {
    "available": ItemStatus.AVAILABLE,
    "tersedia": ItemStatus.AVAILABLE,
    "ada": ItemStatus.AVAILABLE,
    "in processing": ItemStatus.IN_PROCESSING,
    "diproses": ItemStatus.IN_PROCESSING,
    "proses": ItemStatus.IN_PROCESSING,
    "repair": ItemStatus.REPAIR,
    "rusak": ItemStatus.REPAIR,
    "perbaikan": ItemStatus.REPAIR,
    "damaged": ItemStatus.REPAIR,
    "missing": ItemStatus.MISSING,
    "hilang": ItemStatus.LOST,
    "lost": ItemStatus.LOST,
    "withdrawn": ItemStatus.WITHDRAWN,
    "ditarik": ItemStatus.WITHDRAWN,
    "dihapus": ItemStatus.WITHDRAWN,
    "weeded": ItemStatus.WITHDRAWN,
}


def status_code(value: object) -> str | None:
    return _lookup(STATUSES, value)


SOURCES = {
    "purchase": ItemSource.PURCHASE,
    "beli": ItemSource.PURCHASE,
    "pembelian": ItemSource.PURCHASE,
    "donation": ItemSource.DONATION,
    "gift": ItemSource.DONATION,
    "hibah": ItemSource.DONATION,
    "hadiah": ItemSource.DONATION,
    "sumbangan": ItemSource.DONATION,
    "donasi": ItemSource.DONATION,
    "legal deposit": ItemSource.LEGAL_DEPOSIT,
    "deposit": ItemSource.LEGAL_DEPOSIT,
    "serah simpan": ItemSource.LEGAL_DEPOSIT,
    "other": ItemSource.OTHER,
    "lain-lain": ItemSource.OTHER,
    "lainnya": ItemSource.OTHER,
}


def source_code(value: object) -> str | None:
    return _lookup(SOURCES, value)


AUDIENCES = {
    "children": Audience.CHILDREN,
    "anak": Audience.CHILDREN,
    "anak-anak": Audience.CHILDREN,
    "teens": Audience.TEENS,
    "teen": Audience.TEENS,
    "remaja": Audience.TEENS,
    "young adult": Audience.TEENS,
    "adults": Audience.ADULTS,
    "adult": Audience.ADULTS,
    "dewasa": Audience.ADULTS,
    "umum": Audience.ADULTS,
}


def audience_code(value: object) -> str | None:
    return _lookup(AUDIENCES, value)


MATERIAL_TYPES = {
    **{fold(str(label)): value for value, label in MaterialType.choices},
    **{value: value for value in MaterialType.values},
    "buku": MaterialType.BOOK,
    "monograf": MaterialType.BOOK,
    "text": MaterialType.BOOK,
    "teks": MaterialType.BOOK,
    "e-book": MaterialType.EBOOK,
    "ebook": MaterialType.EBOOK,
    "buku elektronik": MaterialType.EBOOK,
    "audio book": MaterialType.AUDIOBOOK,
    "buku audio": MaterialType.AUDIOBOOK,
    "majalah": MaterialType.SERIAL,
    "jurnal": MaterialType.SERIAL,
    "journal": MaterialType.SERIAL,
    "terbitan berkala": MaterialType.SERIAL,
    "surat kabar": MaterialType.SERIAL,
    "koran": MaterialType.SERIAL,
    "artikel": MaterialType.ARTICLE,
    "video": MaterialType.VIDEO,
    "dvd": MaterialType.VIDEO,
    "vcd": MaterialType.VIDEO,
    "film": MaterialType.VIDEO,
    "peta": MaterialType.MAP,
    "atlas": MaterialType.MAP,
    "partitur": MaterialType.SCORE,
    "cd": MaterialType.SOUND_RECORDING,
    "cd audio": MaterialType.SOUND_RECORDING,
    "kaset": MaterialType.SOUND_RECORDING,
    "rekaman suara": MaterialType.SOUND_RECORDING,
    "huruf besar": MaterialType.LARGE_PRINT,
    "cetak besar": MaterialType.LARGE_PRINT,
    "braille": MaterialType.BRAILLE,
    "kit": MaterialType.KIT,
}


def material_type_code(value: object) -> str | None:
    return _lookup(MATERIAL_TYPES, value)
