"""SIP2 accounts (one per kiosk, book return or sorter) and their activity."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Messages an account may be allowed to send (login, status and resend are always allowed).
OPERATIONS = (
    ("63", _("Patron information (63)")),
    ("23", _("Patron status (23)")),
    ("11", _("Checkout (11)")),
    ("09", _("Check-in (09)")),
    ("29", _("Renew (29)")),
    ("65", _("Renew all (65)")),
    ("17", _("Item information (17)")),
    ("15", _("Hold (15)")),
    ("37", _("Fee paid (37)")),
    ("35", _("End patron session (35)")),
    ("01", _("Block patron (01)")),
    ("25", _("Patron enable (25)")),
    ("19", _("Item status update (19)")),
)
ALWAYS_ALLOWED = frozenset({"93", "99", "97"})
KIOSK_OPERATIONS = ["63", "23", "11", "09", "29", "65", "17", "15", "35"]

# Personal fields a patron-information reply may carry, only when the account says so.
OPTIONAL_FIELDS = (
    ("BD", _("Home address (BD)")),
    ("BE", _("E-mail address (BE)")),
    ("BF", _("Telephone (BF)")),
    ("PB", _("Date of birth (PB)")),
)


# Fields an account may leave out of every reply (Koha's `hide_fields`).
HIDEABLE_FIELDS = (
    ("BV", _("Amount owed (BV, with its currency BH)")),
    ("AV", _("Items with fines (AV)")),
    ("PE", _("Membership expiry date (PE)")),
    ("CF", _("Hold queue length (CF)")),
    ("CH", _("Item properties (CH)")),
)


class DueDateFormat(models.TextChoices):
    SIP = "sip", _("SIP2 timestamp (YYYYMMDDZZZZHHMMSS)")
    ISO = "iso", _("ISO date (YYYY-MM-DD)")
    LOCAL = "local", _("Local date (DD/MM/YYYY)")


class HomeBranchField(models.TextChoices):
    NONE = "", _("Not sent")
    AQ = "AQ", _("In the location field (AQ)")
    AF = "AF", _("In the screen message (AF)")


class Encoding(models.TextChoices):
    UTF8 = "utf-8", _("UTF-8")
    CP850 = "cp850", _("Code page 850 (older 3M kiosks)")
    LATIN1 = "latin-1", _("Latin-1 (ISO 8859-1)")


class ErrorDetection(models.TextChoices):
    AUTO = "auto", _("Check checksums when the kiosk sends them")
    REQUIRED = "required", _("Require checksums and sequence numbers")
    OFF = "off", _("Do not check checksums")


class SipAccount(models.Model):
    login = models.CharField(_("login name"), max_length=50, unique=True)
    password_hash = models.CharField(max_length=128, editable=False)
    description = models.CharField(_("description"), max_length=200, blank=True)
    branch = models.ForeignKey(
        "core.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    institution_id = models.CharField(
        _("institution id (AO)"),
        max_length=50,
        blank=True,
        help_text=_("Sent back in every reply; empty: the branch code."),
    )
    operations = models.JSONField(_("allowed operations"), default=list, blank=True)
    encoding = models.CharField(
        _("character encoding"), max_length=10, choices=Encoding.choices, default=Encoding.UTF8
    )
    error_detection = models.CharField(
        _("error detection"),
        max_length=10,
        choices=ErrorDetection.choices,
        default=ErrorDetection.AUTO,
    )
    optional_fields = models.JSONField(_("personal fields to send"), default=list, blank=True)
    hidden_fields = models.JSONField(_("fields to leave out"), default=list, blank=True)
    due_date_format = models.CharField(
        _("due date format (AH)"),
        max_length=5,
        choices=DueDateFormat.choices,
        default=DueDateFormat.SIP,
        help_text=_("Some kiosks print the due date exactly as they receive it."),
    )
    home_branch_field = models.CharField(
        _("member's home branch"),
        max_length=2,
        choices=HomeBranchField.choices,
        default=HomeBranchField.NONE,
        blank=True,
        help_text=_("Sent in patron status and patron information replies."),
    )
    screen_message_prefix = models.CharField(
        _("screen message prefix"),
        max_length=40,
        blank=True,
        help_text=_("Put before every screen message (AF), e.g. the branch's name."),
    )
    language = models.CharField(
        _("language of screen messages"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    require_patron_pin = models.BooleanField(
        _("members must enter their PIN"),
        default=True,
        help_text=_("Off only for a book return or sorter that never identifies members."),
    )
    checked_in_ok = models.BooleanField(
        _("accept a check-in of an item that was not on loan"),
        default=False,
        help_text=_("Book returns and sorters usually want this on."),
    )
    timeout_seconds = models.PositiveSmallIntegerField(
        _("idle timeout (seconds)"),
        default=300,
        help_text=_("Told to the kiosk in its status reply; 0: never time out. At most 999."),
    )
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acts as staff member"),
        help_text=_(
            "Needed only for payments, blocking members and offline (no-block) transactions: "
            "they are done with this staff member's permissions."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Activity, written by the SIP2 server every few seconds (open connections: SipConnection).
    last_seen_at = models.DateTimeField(_("last message"), null=True, blank=True)
    last_message = models.CharField(_("last message type"), max_length=2, blank=True)
    last_address = models.CharField(_("address"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("SIP2 account")
        verbose_name_plural = _("SIP2 accounts")
        ordering = ["login"]

    def __str__(self) -> str:
        return self.login

    @property
    def ao(self) -> str:
        return self.institution_id or self.branch.code

    def allows(self, code: str) -> bool:
        return code in ALWAYS_ALLOWED or code in (self.operations or [])


class SipDailyCount(models.Model):
    """Messages and errors per account, message type and day (for the activity screen)."""

    account = models.ForeignKey(SipAccount, on_delete=models.CASCADE, related_name="counts")
    day = models.DateField()
    code = models.CharField(max_length=2)
    count = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "day", "code"], name="one_sip_count_per_account_day_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day} {self.code}: {self.count}"


class SipConnection(models.Model):
    """One logged-in kiosk connection, kept by the server process that holds it: created at
    login, deleted when the connection ends, `seen_at` renewed every few seconds while the
    process lives (so the rows of a process that was killed stop counting, and are removed
    when the server starts again). The staff screen counts these rows, whichever of the
    server's processes holds each connection."""

    account = models.ForeignKey(SipAccount, on_delete=models.CASCADE, related_name="open_rows")
    server = models.CharField(max_length=100, db_index=True)  # host:pid of the process
    peer = models.CharField(max_length=64)
    opened_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.account_id} {self.peer} ({self.server})"


class ItemProperties(models.Model):
    """What a kiosk or sorter said about an item in an item status update (19), given back in
    the item information reply (18, field CH). Free text; its meaning is the vendor's."""

    item = models.OneToOneField(
        "catalog.Item",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("item"),
    )
    text = models.CharField(_("item properties"), max_length=255)
    account = models.ForeignKey(
        SipAccount,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("item properties")
        verbose_name_plural = _("item properties")

    def __str__(self) -> str:
        return f"{self.item_id}: {self.text}"
