"""Bibliographic records, their contributors and subjects, items (eksemplar), imports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MaterialType(models.TextChoices):
    BOOK = "book", _("Book")
    EBOOK = "ebook", _("E-book")
    AUDIOBOOK = "audiobook", _("Audio book")
    SERIAL = "serial", _("Serial or journal")
    ARTICLE = "article", _("Article")
    VIDEO = "video", _("Video")
    MAP = "map", _("Map")
    SCORE = "score", _("Music score")
    SOUND_RECORDING = "sound", _("Sound recording")
    LARGE_PRINT = "large_print", _("Large print")
    BRAILLE = "braille", _("Braille")
    KIT = "kit", _("Kit")


class Audience(models.TextChoices):
    CHILDREN = "children", _("Children")
    TEENS = "teens", _("Teens")
    ADULTS = "adults", _("Adults")


class AccessibilityFeature(models.TextChoices):
    LARGE_PRINT = "large_print", _("Large print")
    BRAILLE = "braille", _("Braille")
    AUDIO = "audio", _("Audio version")
    EASY_READ = "easy_read", _("Easy to read")
    CAPTIONS = "captions", _("Captions or subtitles")
    SIGN_LANGUAGE = "sign_language", _("Sign language")
    TACTILE = "tactile", _("Tactile images")
    DYSLEXIA_FRIENDLY = "dyslexia_friendly", _("Dyslexia-friendly layout")


class ContributorRole(models.TextChoices):
    AUTHOR = "author", _("Author")
    EDITOR = "editor", _("Editor")
    TRANSLATOR = "translator", _("Translator")
    ILLUSTRATOR = "illustrator", _("Illustrator")
    COMPILER = "compiler", _("Compiler")
    CONTRIBUTOR = "contributor", _("Contributor")
    CORPORATE = "corporate", _("Corporate body")
    MEETING = "meeting", _("Meeting or conference")


class RecordSource(models.TextChoices):
    MARC = "marc", _("MARC import")
    SPREADSHEET = "spreadsheet", _("Spreadsheet import")
    MANUAL = "manual", _("Catalogued here")


class Contributor(models.Model):
    """A person or body as named in headings. `key` is the normalised name used to match."""

    name = models.CharField(_("name"), max_length=300)
    dates = models.CharField(_("dates"), max_length=60, blank=True)
    key = models.CharField(max_length=300, unique=True)

    class Meta:
        verbose_name = _("contributor")
        verbose_name_plural = _("contributors")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.dates}" if self.dates else self.name


class Subject(models.Model):
    heading = models.CharField(_("heading"), max_length=300)
    key = models.CharField(max_length=300, unique=True)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["heading"]

    def __str__(self) -> str:
        return self.heading


class Record(models.Model):
    """A bibliographic record. `marc` keeps the original MARC21 record (pymarc's JSON form,
    880 vernacular fields included) so an exported record equals the imported one."""

    title = models.CharField(_("title"), max_length=1000)
    subtitle = models.CharField(_("subtitle"), max_length=1000, blank=True)
    responsibility = models.CharField(_("statement of responsibility"), max_length=1000, blank=True)
    title_vernacular = models.CharField(_("title in original script"), max_length=1000, blank=True)
    edition = models.CharField(_("edition"), max_length=200, blank=True)
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    place = models.CharField(_("place of publication"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, db_index=True)
    isbn = models.CharField(
        _("ISBN"), max_length=13, blank=True, db_index=True, help_text=_("ISBN-13, normalised.")
    )
    issn = models.CharField(_("ISSN"), max_length=9, blank=True, db_index=True)
    language = models.CharField(
        _("language"), max_length=3, blank=True, help_text=_("ISO 639-2 code, e.g. ind, eng.")
    )
    ddc = models.CharField(_("DDC class"), max_length=30, blank=True, db_index=True)
    call_number = models.CharField(_("call number"), max_length=100, blank=True)
    series = models.CharField(_("series"), max_length=500, blank=True)
    physical_description = models.CharField(_("physical description"), max_length=500, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, blank=True)
    material_type = models.CharField(
        _("material type"), max_length=20, choices=MaterialType.choices, default=MaterialType.BOOK
    )
    accessibility_features = models.JSONField(_("accessibility features"), default=list, blank=True)
    cover = models.ImageField(_("cover"), upload_to="covers/", blank=True)
    cover_thumbnail = models.ImageField(
        _("cover thumbnail"), upload_to="covers/thumbs/", blank=True
    )
    control_number = models.CharField(_("control number (001)"), max_length=60, blank=True)
    control_number_source = models.CharField(
        _("control number source (003)"), max_length=30, blank=True
    )
    marc = models.JSONField(_("original MARC record"), null=True, blank=True, editable=False)
    description_edited_at = models.DateTimeField(
        _("description edited here"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Set when a cataloguer edits a record that came in as MARC: the export then "
            "carries the edited description over the original's other fields."
        ),
    )
    marc_length = models.PositiveIntegerField(
        _("size of the original MARC record (bytes in ISO 2709)"),
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text=_("Over 99,999 bytes a record cannot be exported as MARC21, only as MARCXML."),
    )
    source = models.CharField(
        _("source"), max_length=20, choices=RecordSource.choices, default=RecordSource.MANUAL
    )
    contributors = models.ManyToManyField(
        Contributor, through="RecordContributor", related_name="records"
    )
    subjects = models.ManyToManyField(Subject, through="RecordSubject", related_name="records")
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("bibliographic record")
        verbose_name_plural = _("bibliographic records")
        indexes = [models.Index(fields=["control_number", "control_number_source"])]
        permissions = [
            ("import_records", _("Can import and export catalogue files")),
            ("print_labels", _("Can print spine and barcode labels")),
        ]

    def __str__(self) -> str:
        return f"{self.title}: {self.subtitle}" if self.subtitle else self.title

    @property
    def full_title(self) -> str:
        return str(self)


class RecordContributor(models.Model):
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="record_contributors")
    contributor = models.ForeignKey(Contributor, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(
        _("role"), max_length=20, choices=ContributorRole.choices, default=ContributorRole.AUTHOR
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["record", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "contributor", "role"], name="contributor_once_per_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contributor} ({self.role})"


class RecordSubject(models.Model):
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="record_subjects")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["record", "position"]
        constraints = [
            models.UniqueConstraint(fields=["record", "subject"], name="subject_once_per_record")
        ]

    def __str__(self) -> str:
        return str(self.subject)


class IdentifierKind(models.TextChoices):
    ISBN = "isbn", "ISBN"
    ISSN = "issn", "ISSN"
    LCCN = "lccn", "LCCN"
    CONTROL = "control", _("Control number")


class RecordIdentifier(models.Model):
    """Every normalised ISBN, ISSN, LCCN and control number of a record: duplicates are found
    by any of them, not only the first."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=10, choices=IdentifierKind.choices)
    value = models.CharField(max_length=80)

    class Meta:
        indexes = [models.Index(fields=["kind", "value"])]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "kind", "value"], name="identifier_once_per_record"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class Collection(models.TextChoices):
    GENERAL = "general", _("General")
    CHILDREN = "children", _("Children")
    REFERENCE = "reference", _("Reference")
    LOCAL_CONTENT = "local", _("Local content")


class ItemStatus(models.TextChoices):
    """Where a copy stands. Circulation moves available/on loan/in transit/on hold shelf;
    staff move the others."""

    AVAILABLE = "available", _("Available")
    ON_LOAN = "on_loan", _("On loan")
    ON_HOLD_SHELF = "on_hold_shelf", _("On the hold shelf")
    IN_TRANSIT = "in_transit", _("In transit")
    IN_PROCESSING = "in_processing", _("Being processed")
    REPAIR = "repair", _("Being repaired")
    MISSING = "missing", pgettext_lazy("item status", "Missing")
    LOST = "lost", _("Lost")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Statuses in which a copy is on the shelf for a visitor to take.
AVAILABLE_STATUSES = frozenset({ItemStatus.AVAILABLE})
# Statuses in which a copy is not counted in the catalogue at all.
HIDDEN_STATUSES = frozenset({ItemStatus.WITHDRAWN, ItemStatus.LOST})


class ItemSource(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")
    DONATION = "donation", _("Donation")
    LEGAL_DEPOSIT = "legal_deposit", _("Legal deposit")
    OTHER = "other", pgettext_lazy("item source", "Other")


class Item(models.Model):
    """A physical copy (eksemplar)."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="items")
    barcode = models.CharField(_("barcode"), max_length=40, unique=True)
    rfid_tag = models.CharField(_("RFID tag"), max_length=64, blank=True)
    branch = models.ForeignKey(
        "core.Branch", on_delete=models.PROTECT, related_name="items", verbose_name=_("branch")
    )
    shelf_location = models.CharField(_("shelf location"), max_length=100, blank=True)
    collection = models.CharField(
        _("collection"), max_length=20, choices=Collection.choices, default=Collection.GENERAL
    )
    call_number = models.CharField(
        _("call number"),
        max_length=100,
        blank=True,
        help_text=_("Only when this copy differs from the record's call number."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.AVAILABLE
    )
    price = models.PositiveBigIntegerField(_("price (Rp)"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=ItemSource.choices, default=ItemSource.PURCHASE
    )
    donor = models.CharField(_("donor"), max_length=200, blank=True)
    acquired_on = models.DateField(_("acquired on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["record", "branch", "barcode"]
        constraints = [
            models.UniqueConstraint(
                fields=["rfid_tag"], condition=~Q(rfid_tag=""), name="rfid_tag_unique_when_set"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ItemStatus]), name="item_status_valid"
            ),
        ]
        # No index on `status` (nor `updated_at`): every checkout and check-in changes both,
        # and a change of an unindexed column can be a heap-only (HOT) update that touches none
        # of the copy's indexes. The record's and the branch's own indexes find its copies.

    def __str__(self) -> str:
        return self.barcode

    @property
    def effective_call_number(self) -> str:
        return self.call_number or self.record.call_number


class ImportFormat(models.TextChoices):
    MARC21 = "marc21", _("MARC21 (ISO 2709)")
    MARCXML = "marcxml", _("MARCXML")
    CSV = "csv", _("CSV spreadsheet")
    XLSX = "xlsx", _("Excel spreadsheet (XLSX)")


class DuplicatePolicy(models.TextChoices):
    SKIP = "skip", _("Skip records we already have")
    MERGE = "merge", _("Merge into the record we have (add its items)")
    ADD = "add", _("Add as a new record anyway")


class ImportStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting to start")
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class ImportJob(models.Model):
    """One file being imported. Work goes in chunks; `position` is the next record (or row) to
    read, so a stopped import resumes where it was."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file = models.FileField(_("file"), upload_to="imports/")
    original_name = models.CharField(_("file name"), max_length=255)
    format = models.CharField(_("format"), max_length=10, choices=ImportFormat.choices)
    policy = models.CharField(
        _("when a record is already in the catalogue"),
        max_length=10,
        choices=DuplicatePolicy.choices,
        default=DuplicatePolicy.SKIP,
    )
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    default_branch = models.ForeignKey(
        "core.Branch", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.WAITING
    )
    total = models.PositiveIntegerField(_("records in the file"), null=True, blank=True)
    position = models.PositiveIntegerField(_("records read"), default=0)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    merged = models.PositiveIntegerField(_("merged"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    bad = models.PositiveIntegerField(_("bad"), default=0)
    items_created = models.PositiveIntegerField(_("items created"), default=0)
    warnings = models.PositiveIntegerField(_("warnings"), default=0)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Moves after every chunk: a running import whose heartbeat stopped was interrupted.
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == ImportStatus.DONE else 0
        return min(100, round(100 * self.position / self.total))


class ProblemSeverity(models.TextChoices):
    ERROR = "error", _("Not imported")
    WARNING = "warning", _("Imported with a warning")


class ImportProblem(models.Model):
    """A record (or row) that could not be imported, and why; or one imported with a warning
    (an invalid ISBN left out, a branch code we do not know)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="problems")
    severity = models.CharField(
        _("severity"),
        max_length=10,
        choices=ProblemSeverity.choices,
        default=ProblemSeverity.ERROR,
    )
    position = models.PositiveIntegerField(_("record or row number"))
    identifier = models.CharField(_("record"), max_length=300, blank=True)
    field = models.CharField(_("field"), max_length=60, blank=True)
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("import problem")
        verbose_name_plural = _("import problems")
        ordering = ["job", "position", "pk"]
        indexes = [models.Index(fields=["job", "severity", "position"])]

    def __str__(self) -> str:
        return f"#{self.position}: {self.reason}"


class LabelPreference(models.Model):
    """The label sheet a user last printed with, so the choice is remembered."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10)  # "spine" or "barcode"
    layout = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_label_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}"
