"""The IKM (Indeks Kepuasan Masyarakat) of Peraturan Menteri PANRB Nomor 14 Tahun 2017 tentang
Pedoman Penyusunan Survei Kepuasan Masyarakat Unit Penyelenggara Pelayanan Publik.

Pure values in, values out. The regulation (Lampiran, Bab III):
- nine service elements U1..U9, each answered on a 1-4 scale;
- NRR per element = total of the element's values / number of those who answered it;
- each element weighs the same, 1/9 (exactly; the regulation's rounded 0.111 lowers results);
- index = sum(NRR x 1/9), the "nilai persepsi" on 1.00-4.00;
- IKM = index x 25, on 25.00-100.00;
- the quality category is read from the converted value (Tabel "Nilai Persepsi, Interval IKM,
  Interval Konversi IKM, Mutu Pelayanan dan Kinerja Unit Pelayanan"):
    A  Sangat Baik  88.31 - 100.00   (nilai persepsi 3.5324 - 4.00)
    B  Baik         76.61 -  88.30   (3.0644 - 3.532)
    C  Kurang Baik  65.00 -  76.60   (2.60 - 3.064)
    D  Tidak Baik   25.00 -  64.99   (1.00 - 2.5996)
  The IKM value is rounded to two decimals (half up) before it is placed in a band.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

# (code, Indonesian, English, scale labels 1..4 in Indonesian and English) in the regulation's
# order.
ELEMENTS: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    (
        "U1",
        "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis "
        "pelayanannya?",
        "How well do the requirements of the service fit the service?",
        [
            ("Tidak sesuai", "Not suitable"),
            ("Kurang sesuai", "Less suitable"),
            ("Sesuai", "Suitable"),
            ("Sangat sesuai", "Very suitable"),
        ],
    ),
    (
        "U2",
        "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
        "How easy are the procedures (system, mechanism and procedure) of this service?",
        [
            ("Tidak mudah", "Not easy"),
            ("Kurang mudah", "Less easy"),
            ("Mudah", "Easy"),
            ("Sangat mudah", "Very easy"),
        ],
    ),
    (
        "U3",
        "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
        "How quickly was the service given (completion time)?",
        [
            ("Tidak cepat", "Not quick"),
            ("Kurang cepat", "Less quick"),
            ("Cepat", "Quick"),
            ("Sangat cepat", "Very quick"),
        ],
    ),
    (
        "U4",
        "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
        "How fair are the costs or fees of the service?",
        [
            ("Sangat mahal", "Very expensive"),
            ("Cukup mahal", "Rather expensive"),
            ("Murah", "Cheap"),
            ("Gratis", "Free"),
        ],
    ),
    (
        "U5",
        "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum "
        "dalam standar pelayanan dengan hasil yang diberikan?",
        "How well does what you received match the service as specified in the service standard?",
        [
            ("Tidak sesuai", "Not suitable"),
            ("Kurang sesuai", "Less suitable"),
            ("Sesuai", "Suitable"),
            ("Sangat sesuai", "Very suitable"),
        ],
    ),
    (
        "U6",
        "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
        "How competent were the staff who served you?",
        [
            ("Tidak kompeten", "Not competent"),
            ("Kurang kompeten", "Less competent"),
            ("Kompeten", "Competent"),
            ("Sangat kompeten", "Very competent"),
        ],
    ),
    (
        "U7",
        "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan "
        "dan keramahan?",
        "How polite and friendly were the staff?",
        [
            ("Tidak sopan dan ramah", "Not polite and friendly"),
            ("Kurang sopan dan ramah", "Less polite and friendly"),
            ("Sopan dan ramah", "Polite and friendly"),
            ("Sangat sopan dan ramah", "Very polite and friendly"),
        ],
    ),
    (
        "U8",
        "Bagaimana pendapat Saudara tentang penanganan pengaduan, saran dan masukan?",
        "How are complaints, suggestions and feedback handled?",
        [
            ("Tidak ada", "There is none"),
            ("Ada tetapi tidak berfungsi", "There is, but it does not work"),
            ("Berfungsi kurang maksimal", "It works, not fully"),
            ("Dikelola dengan baik", "Well handled"),
        ],
    ),
    (
        "U9",
        "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
        "How good are the facilities and infrastructure?",
        [("Buruk", "Poor"), ("Cukup", "Fair"), ("Baik", "Good"), ("Sangat Baik", "Very good")],
    ),
]
ELEMENT_CODES = [code for code, *_ in ELEMENTS]
ELEMENT_NAMES = {
    "U1": _("Requirements"),
    "U2": _("Systems, mechanisms and procedures"),
    "U3": _("Completion time"),
    "U4": _("Costs and fees"),
    "U5": _("Service products"),
    "U6": _("Staff competence"),
    "U7": _("Staff behaviour"),
    "U8": _("Handling of complaints, suggestions and feedback"),
    "U9": _("Facilities and infrastructure"),
}

# The respondent profile of the regulation's form: (code, kind, Indonesian, English, choices).
PROFILE: list[tuple[str, str, str, str, list[tuple[str, str]]]] = [
    ("umur", "number", "Umur (tahun)", "Age (years)", []),
    (
        "jenis_kelamin",
        "single",
        "Jenis kelamin",
        "Sex",
        [("Laki-laki", "Male"), ("Perempuan", "Female")],
    ),
    (
        "pendidikan",
        "single",
        "Pendidikan terakhir",
        "Education",
        [
            ("SD ke bawah", "Primary school or less"),
            ("SMP", "Junior secondary"),
            ("SMA", "Senior secondary"),
            ("D1-D3-D4", "Diploma"),
            ("S1", "Bachelor"),
            ("S2 ke atas", "Master or higher"),
        ],
    ),
    (
        "pekerjaan",
        "single",
        "Pekerjaan utama",
        "Occupation",
        [
            ("PNS", "Civil servant"),
            ("TNI", "Armed forces"),
            ("POLRI", "Police"),
            ("Swasta", "Private sector"),
            ("Wirausaha", "Self-employed"),
            ("Pelajar/Mahasiswa", "Student"),
            ("Lainnya", "Other"),
        ],
    ),
]

WEIGHT = Fraction(1, len(ELEMENTS))  # exactly 1/9
TWO_PLACES = Decimal("0.01")
FOUR_PLACES = Decimal("0.0001")

# (letter, lowest converted value, Indonesian name, English name), best first.
CATEGORIES = [
    ("A", Decimal("88.31"), "Sangat Baik", _("Very good")),
    ("B", Decimal("76.61"), "Baik", _("Good")),
    ("C", Decimal("65.00"), "Kurang Baik", _("Poor")),
    ("D", Decimal("25.00"), "Tidak Baik", _("Bad")),
]


@dataclass(frozen=True)
class IkmResult:
    elements: dict[str, Decimal | None]  # NRR per element, four decimals; None if unanswered
    answered: dict[str, int]  # how many answered each element
    index: Decimal | None  # the weighted mean, 1-4 (four decimals)
    ikm: Decimal | None  # index x 25, two decimals
    category: str | None  # "A".."D"
    category_name: str
    respondents: int

    @property
    def lowest(self) -> list[str]:
        """The codes of the elements with the lowest NRR (ties included)."""
        scored = {code: v for code, v in self.elements.items() if v is not None}
        if not scored:
            return []
        low = min(scored.values())
        return [code for code, v in scored.items() if v == low]


def category_for(ikm: Decimal) -> tuple[str, str]:
    value = ikm.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    for letter, lowest, name, _english in CATEGORIES:
        if value >= lowest:
            return letter, name
    return "D", "Tidak Baik"


def _decimal(value: Fraction, places: Decimal) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        places, rounding=ROUND_HALF_UP
    )


def compute(rows: Iterable[Mapping[str, int | None]]) -> IkmResult:
    """Each row is one respondent's answers {"U1": 1..4 or None, ...}. Values must already be
    checked (1-4); a respondent who answered no element is not counted. The index needs every
    element answered by someone; otherwise it stays None."""
    totals = {code: 0 for code in ELEMENT_CODES}
    counts = {code: 0 for code in ELEMENT_CODES}
    respondents = 0
    for row in rows:
        any_answer = False
        for code in ELEMENT_CODES:
            value = row.get(code)
            if value is None:
                continue
            totals[code] += int(value)
            counts[code] += 1
            any_answer = True
        respondents += any_answer
    nrr = {
        code: (Fraction(totals[code], counts[code]) if counts[code] else None)
        for code in ELEMENT_CODES
    }
    elements = {
        code: (_decimal(v, FOUR_PLACES) if v is not None else None) for code, v in nrr.items()
    }
    if any(v is None for v in nrr.values()):
        return IkmResult(elements, counts, None, None, None, "", respondents)
    exact_index = sum((v * WEIGHT for v in nrr.values()), Fraction(0))
    ikm = _decimal(exact_index * 25, TWO_PLACES)
    letter, name = category_for(ikm)
    return IkmResult(
        elements, counts, _decimal(exact_index, FOUR_PLACES), ikm, letter, name, respondents
    )
