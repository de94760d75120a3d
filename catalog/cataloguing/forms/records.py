"""The record form: every descriptive field, contributors as repeatable rows, subjects."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.identifiers import (
    InvalidIsbnError,
    InvalidIssnError,
    format_isbn,
    normalise_isbn,
    normalise_issn,
)
from catalog.models import (
    AccessibilityFeature,
    Audience,
    ContributorRole,
    IdentifierKind,
    MaterialType,
    Record,
)
from catalog.records import ParsedContributor, ParsedRecord

FIRST_YEAR = 1000

# The codes cataloguers here meet most, first: ISO 639-2 (MARC uses the bibliographic forms:
# may, chi, dut, fre, ger). Any other three-letter code is accepted too.
COMMON_LANGUAGES = [
    ("ind", gettext_lazy("Indonesian")),
    ("eng", gettext_lazy("English")),
    ("jav", gettext_lazy("Javanese")),
    ("sun", gettext_lazy("Sundanese")),
    ("may", gettext_lazy("Malay")),
    ("ara", gettext_lazy("Arabic")),
    ("bjn", gettext_lazy("Banjar")),
    ("bug", gettext_lazy("Buginese")),
    ("min", gettext_lazy("Minangkabau")),
    ("mad", gettext_lazy("Madurese")),
    ("ban", gettext_lazy("Balinese")),
    ("ace", gettext_lazy("Acehnese")),
    ("chi", gettext_lazy("Chinese")),
    ("jpn", gettext_lazy("Japanese")),
    ("kor", gettext_lazy("Korean")),
    ("dut", gettext_lazy("Dutch")),
    ("fre", gettext_lazy("French")),
    ("ger", gettext_lazy("German")),
]
# Two-letter (ISO 639-1) codes people type out of habit.
_TWO_LETTER = {
    "id": "ind",
    "in": "ind",
    "en": "eng",
    "jv": "jav",
    "su": "sun",
    "ms": "may",
    "ar": "ara",
    "zh": "chi",
    "ja": "jpn",
    "ko": "kor",
    "nl": "dut",
    "fr": "fre",
    "de": "ger",
}
_LANGUAGE = re.compile(r"^[a-z]{3}$")
# 'Hirata, Andrea, 1967-' -> ('Hirata, Andrea', '1967-'): the dates of a name heading.
_DATES = re.compile(r",\s*((?:ca\.\s*|b\.\s*|d\.\s*|active\s*)?\d{3,4}\??-?(?:\d{3,4}\??)?)\.?$")


def _suggesting(kind: str) -> dict:
    """A text input that fills the <datalist> `{kind}-suggestions` as one types (htmx)."""
    return {
        "list": f"{kind}-suggestions",
        "autocomplete": "off",
        "hx-get": reverse_lazy(f"cataloguing:suggest-{kind}s"),
        "hx-trigger": "input changed delay:250ms",
        "hx-target": f"#{kind}-suggestions",
        "hx-swap": "innerHTML",
        "hx-sync": "this:replace",
    }


def split_dates(heading: str) -> tuple[str, str]:
    heading = " ".join(heading.split())
    match = _DATES.search(heading)
    if match and match.start() > 0:
        return heading[: match.start()], match.group(1)
    return heading, ""


def today() -> dt.date:
    return timezone.localdate()


class RecordForm(forms.Form):
    """Every descriptive field of a record. Contributors come in a formset beside it."""

    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=1000,
        error_messages={"required": gettext_lazy("Give the title.")},
    )
    subtitle = forms.CharField(label=gettext_lazy("Subtitle"), max_length=1000, required=False)
    responsibility = forms.CharField(
        label=gettext_lazy("Statement of responsibility"),
        max_length=1000,
        required=False,
        help_text=gettext_lazy("As on the title page, e.g. “Andrea Hirata; editor, …”."),
    )
    title_vernacular = forms.CharField(
        label=gettext_lazy("Title in original script"),
        max_length=1000,
        required=False,
        help_text=gettext_lazy("Arabic, Jawi, Chinese … as printed."),
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    edition = forms.CharField(label=gettext_lazy("Edition"), max_length=200, required=False)
    publisher = forms.CharField(label=gettext_lazy("Publisher"), max_length=300, required=False)
    place = forms.CharField(
        label=gettext_lazy("Place of publication"), max_length=200, required=False
    )
    year = forms.IntegerField(
        label=gettext_lazy("Year"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    isbns = forms.CharField(
        label=gettext_lazy("ISBNs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "inputmode": "numeric"}),
        help_text=gettext_lazy("One a line; ISBN-10 or ISBN-13, with or without hyphens."),
    )
    issn = forms.CharField(label=gettext_lazy("ISSN"), max_length=20, required=False)
    language = forms.CharField(
        label=gettext_lazy("Language"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("Three-letter code (ISO 639-2), e.g. ind, eng, jav."),
        widget=forms.TextInput(attrs={"list": "language-codes", "autocomplete": "off"}),
    )
    ddc = forms.CharField(
        label=gettext_lazy("DDC class"),
        max_length=30,
        required=False,
        help_text=gettext_lazy("e.g. 899.221 3, or 2X4.1 for Islam."),
    )
    call_number = forms.CharField(
        label=gettext_lazy("Call number"),
        max_length=100,
        required=False,
        help_text=gettext_lazy(
            "Class, author letters, title letter: 899.221 3 HIR l. Left empty, labels build "
            "one from the DDC class and the first author."
        ),
    )
    series = forms.CharField(label=gettext_lazy("Series"), max_length=500, required=False)
    physical_description = forms.CharField(
        label=gettext_lazy("Physical description"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("e.g. xii, 529 pages : illustrations ; 21 cm"),
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    summary = forms.CharField(
        label=gettext_lazy("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    audience = forms.ChoiceField(
        label=gettext_lazy("Audience"),
        required=False,
        choices=[("", gettext_lazy("Not stated"))] + list(Audience.choices),
    )
    material_type = forms.ChoiceField(
        label=gettext_lazy("Material type"), choices=MaterialType.choices, initial=MaterialType.BOOK
    )
    accessibility_features = forms.MultipleChoiceField(
        label=gettext_lazy("Accessibility features"),
        required=False,
        choices=AccessibilityFeature.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    subjects = forms.CharField(
        label=gettext_lazy("Subjects"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One heading a line, e.g. Belitung Island (Indonesia) -- Fiction."),
    )
    subject_add = forms.CharField(
        label=gettext_lazy("Add a subject heading"),
        max_length=300,
        required=False,
        help_text=gettext_lazy(
            "Type to see headings already in the catalogue; added to the list above when you save."
        ),
        widget=forms.TextInput(attrs=_suggesting("subject")),
    )
    confirm_duplicate = forms.BooleanField(
        label=gettext_lazy("Save anyway: this is not the same book (another edition, a copy)"),
        required=False,
    )

    FIELDSETS = (
        (
            gettext_lazy("Title"),
            ("title", "subtitle", "responsibility", "title_vernacular"),
        ),
        (
            gettext_lazy("Publication"),
            ("edition", "publisher", "place", "year", "isbns", "issn", "language"),
        ),
        (
            gettext_lazy("Classification"),
            ("ddc", "call_number", "series", "physical_description"),
        ),
        (
            gettext_lazy("Content and audience"),
            ("summary", "notes", "audience", "material_type", "accessibility_features"),
        ),
    )

    def __init__(self, *args, record: Record | None = None, **kwargs) -> None:
        self.record = record
        if record is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_for(record)
        super().__init__(*args, **kwargs)
        self.duplicates: list[Record] = []

    def fieldsets(self):
        for legend, names in self.FIELDSETS:
            yield legend, [self[name] for name in names]

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise ValidationError(_("Give the title."), code="required")
        return title

    def clean_year(self) -> int | None:
        year = self.cleaned_data.get("year")
        last = today().year + 2
        if year is not None and not FIRST_YEAR <= year <= last:
            raise ValidationError(
                _("Give a year between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": last},
                code="year_range",
            )
        return year

    def clean_isbns(self) -> list[str]:
        numbers: list[str] = []
        problems: list[str] = []
        for number, line in enumerate(self.cleaned_data.get("isbns", "").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                isbn = normalise_isbn(line)
            except InvalidIsbnError as error:
                problems.append(_("Line %(n)s: %(error)s") % {"n": number, "error": error})
                continue
            if isbn not in numbers:
                numbers.append(isbn)
        if problems:
            raise ValidationError(problems, code="invalid_isbn")
        return numbers

    def clean_issn(self) -> str:
        value = self.cleaned_data.get("issn", "").strip()
        if not value:
            return ""
        try:
            return normalise_issn(value)
        except InvalidIssnError:
            raise ValidationError(
                _("“%(value)s” is not a valid ISSN: give eight characters such as 0378-5955.")
                % {"value": value},
                code="invalid_issn",
            ) from None

    def clean_language(self) -> str:
        value = self.cleaned_data.get("language", "").strip().lower()
        value = _TWO_LETTER.get(value, value)
        if value and not _LANGUAGE.match(value):
            raise ValidationError(
                _("Give a three-letter language code (ISO 639-2), such as ind or eng."),
                code="invalid_language",
            )
        return value

    def subject_lines(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data.get("subjects", "").splitlines()]
        extra = self.cleaned_data.get("subject_add", "").strip()
        if extra:
            lines.append(extra)
        return list(dict.fromkeys(line for line in lines if line))

    def to_parsed(self, contributors: list[ParsedContributor]) -> ParsedRecord:
        """The record as the services take it; for an edited record its control number and
        LCCN are carried over, so they stay among its identifiers."""
        data = self.cleaned_data
        parsed = ParsedRecord(
            title=data["title"],
            subtitle=data["subtitle"],
            responsibility=data["responsibility"],
            title_vernacular=data["title_vernacular"],
            contributors=contributors,
            edition=data["edition"],
            publisher=data["publisher"],
            place=data["place"],
            year=data["year"],
            isbns=data["isbns"],
            issn=data["issn"],
            language=data["language"],
            ddc=data["ddc"].strip(),
            call_number=data["call_number"].strip(),
            subjects=self.subject_lines(),
            series=data["series"],
            physical_description=data["physical_description"],
            notes=data["notes"],
            summary=data["summary"],
            audience=data["audience"],
            material_type=data["material_type"],
            accessibility_features=list(data["accessibility_features"]),
        )
        if self.record is not None:
            parsed.control_number = self.record.control_number
            parsed.control_number_source = self.record.control_number_source
            parsed.lccn = next(
                (i.value for i in self.record.identifiers.all() if i.kind == IdentifierKind.LCCN),
                "",
            )
        return parsed


def initial_for(record: Record) -> dict:
    """A record's fields as the form shows them (expects `record_for_cataloguing`'s prefetch)."""
    isbns = [i.value for i in record.identifiers.all() if i.kind == IdentifierKind.ISBN]
    if record.isbn in isbns:  # the first ISBN first
        isbns.remove(record.isbn)
        isbns.insert(0, record.isbn)
    return {
        "title": record.title,
        "subtitle": record.subtitle,
        "responsibility": record.responsibility,
        "title_vernacular": record.title_vernacular,
        "edition": record.edition,
        "publisher": record.publisher,
        "place": record.place,
        "year": record.year,
        "isbns": "\n".join(format_isbn(isbn) for isbn in isbns),
        "issn": record.issn,
        "language": record.language,
        "ddc": record.ddc,
        "call_number": record.call_number,
        "series": record.series,
        "physical_description": record.physical_description,
        "notes": record.notes,
        "summary": record.summary,
        "audience": record.audience,
        "material_type": record.material_type,
        "accessibility_features": list(record.accessibility_features or []),
        "subjects": "\n".join(link.subject.heading for link in record.record_subjects.all()),
    }


class ContributorRowForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Surname, given name (dates), or a body's name."),
        widget=forms.TextInput(attrs=_suggesting("contributor")),
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Role"), choices=ContributorRole.choices, initial=ContributorRole.AUTHOR
    )


CONTRIBUTOR_PREFIX = "contributors"
EMPTY_CONTRIBUTOR_ROWS = 2


class BaseContributorFormSet(forms.BaseFormSet):
    def parsed(self) -> list[ParsedContributor]:
        """The rows with a name, in the order shown; an emptied name removes the row."""
        people = []
        for form in self.forms:
            name = (form.cleaned_data or {}).get("name", "").strip()
            if name:
                display, dates = split_dates(name)
                people.append(ParsedContributor(display, form.cleaned_data["role"], dates))
        return people


ContributorFormSet = forms.formset_factory(
    ContributorRowForm,
    formset=BaseContributorFormSet,
    extra=0,
    max_num=100,
    absolute_max=100,
    validate_max=True,
)


def contributor_formset(data=None, *, record: Record | None = None, add_row: bool = False):
    """The contributor rows: the record's own, then a few empty ones. With `add_row` (the
    'Add a row' button without JavaScript) one more empty row than posted."""
    if data is not None:
        if add_row:
            data = data.copy()
            key = f"{CONTRIBUTOR_PREFIX}-TOTAL_FORMS"
            try:
                total = int(data.get(key, "0"))
            except ValueError:
                total = 0
            data[key] = str(min(total + 1, 100))
        return ContributorFormSet(data, prefix=CONTRIBUTOR_PREFIX)
    initial = []
    if record is not None:
        initial = [
            {"name": str(link.contributor), "role": link.role}
            for link in record.record_contributors.all()
        ]
    initial += [{"role": ContributorRole.AUTHOR}] * EMPTY_CONTRIBUTOR_ROWS
    if not record:
        initial.append({"role": ContributorRole.AUTHOR})
    return ContributorFormSet(initial=initial, prefix=CONTRIBUTOR_PREFIX)


def contributor_row(index: int) -> ContributorRowForm:
    """One more empty row of the formset (for htmx's 'Add a row'), numbered `index`."""
    return ContributorRowForm(
        prefix=f"{CONTRIBUTOR_PREFIX}-{index}",
        initial={"role": ContributorRole.AUTHOR},
        empty_permitted=True,
        use_required_attribute=False,
    )
