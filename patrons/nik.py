"""NIK (Nomor Induk Kependudukan), the 16-digit national identity number. Pure: values in,
values or errors out, no database.

    PP RR DD ddmmyy SSSS
    │  │  │  │      └ serial, never 0000
    │  │  │  └ date of birth; 40 is added to the day for women
    │  │  └ district (kecamatan), never 00
    │  └ regency or city (kabupaten/kota), never 00
    └ province, from the Ministry of Home Affairs (Kemendagri) list that Dukcapil uses

A malformed NIK is refused (`parse_nik` raises `InvalidNikError` naming the part that is wrong).
A NIK whose date of birth or sex disagrees with what was entered is only *warned* about
(`nik_warnings`): a NIK is never reissued, so the number on the card is right even when it was
issued with a typing error, and the data entered may be the mistake.

Why not `stdnum.id.nik` (python-stdnum 2.2)? It checks the first four digits against a bundled
regency list that predates several changes: it has no Kalimantan Utara (65, since 2012, next door
to Samarinda), uses the statistics office's codes for Papua (91 Papua Barat, 94 Papua) instead of
the Kemendagri codes that NIKs carry (91 Papua, 92 Papua Barat), and knows none of the provinces
created in 2022. It would refuse real NIKs from Tarakan or Sorong. Regencies are created often,
so we check only that the regency and district parts are not 00 and keep the province list here,
where it is easy to extend.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patrons.errors import InvalidNikError

NIK_LENGTH = 16
SEPARATORS = " .-\u00a0"

# Kemendagri province codes (Permendagri 72/2019 and the 2022 Papua provinces, UU 14-16/2022 and
# 29/2022). 97 is not a Kemendagri code (the statistics office, BPS, numbers Papua differently:
# 91 Papua Barat, 92 Papua Barat Daya, 94 Papua ... 97 Papua Pegunungan), so a NIK cannot start
# with it.
PROVINCES: dict[str, str] = {
    "11": "Aceh",
    "12": "Sumatera Utara",
    "13": "Sumatera Barat",
    "14": "Riau",
    "15": "Jambi",
    "16": "Sumatera Selatan",
    "17": "Bengkulu",
    "18": "Lampung",
    "19": "Kepulauan Bangka Belitung",
    "21": "Kepulauan Riau",
    "31": "DKI Jakarta",
    "32": "Jawa Barat",
    "33": "Jawa Tengah",
    "34": "DI Yogyakarta",
    "35": "Jawa Timur",
    "36": "Banten",
    "51": "Bali",
    "52": "Nusa Tenggara Barat",
    "53": "Nusa Tenggara Timur",
    "61": "Kalimantan Barat",
    "62": "Kalimantan Tengah",
    "63": "Kalimantan Selatan",
    "64": "Kalimantan Timur",
    "65": "Kalimantan Utara",
    "71": "Sulawesi Utara",
    "72": "Sulawesi Tengah",
    "73": "Sulawesi Selatan",
    "74": "Sulawesi Tenggara",
    "75": "Gorontalo",
    "76": "Sulawesi Barat",
    "81": "Maluku",
    "82": "Maluku Utara",
    "91": "Papua",
    "92": "Papua Barat",
    "93": "Papua Selatan",
    "94": "Papua Tengah",
    "95": "Papua Pegunungan",
    "96": "Papua Barat Daya",
}

FEMALE = "f"
MALE = "m"


@dataclass(frozen=True)
class NikParts:
    nik: str
    province_code: str
    regency_code: str
    district_code: str
    birth_day: int
    birth_month: int
    birth_year: int  # two digits: the century is not in the number
    gender: str  # "f" or "m", as patrons.models.Gender
    serial: str

    @property
    def province(self) -> str:
        return PROVINCES[self.province_code]

    @property
    def region_code(self) -> str:
        """PP.RR.DD, the way Kemendagri writes a district code."""
        return f"{self.province_code}.{self.regency_code}.{self.district_code}"

    def birth_dates(self) -> list[dt.date]:
        """The dates this NIK can mean (19yy and 20yy, where they exist)."""
        dates = []
        for century in (1900, 2000):
            try:
                dates.append(dt.date(century + self.birth_year, self.birth_month, self.birth_day))
            except ValueError:
                continue
        return dates

    def birth_date(self, *, today: dt.date | None = None) -> dt.date:
        """The most recent of the possible dates that is not in the future."""
        today = today or timezone.localdate()
        past = [d for d in self.birth_dates() if d <= today]
        return max(past) if past else min(self.birth_dates())


@dataclass(frozen=True)
class NikWarning:
    code: str
    message: str


def normalise_nik(value: str) -> str:
    """The NIK as typed without spaces, dots or dashes ("6472 0117 0845 0001" is fine)."""
    value = value or ""
    for separator in SEPARATORS:
        value = value.replace(separator, "")
    return value.strip()


def parse_nik(value: str) -> NikParts:
    """Split a NIK into its parts, or raise InvalidNikError saying what is wrong."""
    nik = normalise_nik(value)
    for char in nik:
        if not ("0" <= char <= "9"):
            raise InvalidNikError(
                "not_digits",
                _("A NIK has only digits; “%(char)s” is not a digit."),
                char=char,
            )
    if len(nik) != NIK_LENGTH:
        raise InvalidNikError(
            "length", _("A NIK has 16 digits; this one has %(count)s."), count=len(nik)
        )
    province, regency, district = nik[0:2], nik[2:4], nik[4:6]
    if province not in PROVINCES:
        raise InvalidNikError(
            "province",
            _(
                "A NIK starts with the code of the province where it was issued; %(code)s is not "
                "the code of an Indonesian province."
            ),
            code=province,
        )
    if regency == "00":
        raise InvalidNikError(
            "regency", _("Digits 3 and 4 of a NIK (the regency or city) cannot be 00.")
        )
    if district == "00":
        raise InvalidNikError("district", _("Digits 5 and 6 of a NIK (the district) cannot be 00."))
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    gender = FEMALE if day > 40 else MALE
    parts = NikParts(
        nik=nik,
        province_code=province,
        regency_code=regency,
        district_code=district,
        birth_day=day - 40 if gender == FEMALE else day,
        birth_month=month,
        birth_year=year,
        gender=gender,
        serial=nik[12:16],
    )
    if not parts.birth_dates():
        raise InvalidNikError(
            "birth_date",
            _(
                "Digits 7 to 12 of a NIK are the date of birth (day, month, year, with 40 added "
                "to the day for women); %(part)s is not a date."
            ),
            part=nik[6:12],
        )
    if parts.serial == "0000":
        raise InvalidNikError("serial", _("The last four digits of a NIK cannot be 0000."))
    return parts


def is_valid_nik(value: str) -> bool:
    try:
        parse_nik(value)
    except InvalidNikError:
        return False
    return True


def nik_warnings(value: str, *, birth_date: dt.date | None, gender: str | None) -> list[NikWarning]:
    """Where a (well-formed) NIK disagrees with the date of birth and sex entered. Warnings, not
    errors: the library keeps both and staff check them against the identity card."""
    try:
        parts = parse_nik(value)
    except InvalidNikError:
        return []
    warnings: list[NikWarning] = []
    if birth_date is not None and (
        birth_date.day != parts.birth_day
        or birth_date.month != parts.birth_month
        or birth_date.year % 100 != parts.birth_year
    ):
        warnings.append(
            NikWarning(
                "nik_birth_date_mismatch",
                str(
                    _(
                        "The NIK gives the date of birth %(nik_date)s (day-month-year), but "
                        "%(entered)s was entered. Check both against the identity card."
                    )
                    % {
                        "nik_date": (
                            f"{parts.birth_day:02d}-{parts.birth_month:02d}-{parts.birth_year:02d}"
                        ),
                        "entered": birth_date.strftime("%d-%m-%Y"),
                    }
                ),
            )
        )
    if gender in (FEMALE, MALE) and gender != parts.gender:
        message = (
            _(
                "The NIK is a woman's (40 is added to the day of birth), but the member is "
                "entered as male."
            )
            if parts.gender == FEMALE
            else _(
                "The NIK is a man's (no 40 added to the day of birth), but the member is "
                "entered as female."
            )
        )
        warnings.append(NikWarning("nik_gender_mismatch", str(message)))
    return warnings
