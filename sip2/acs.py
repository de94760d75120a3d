"""The ACS side of SIP2: one function per message, each translating a kiosk's request into
circulation services and selectors and their answer back into a SIP2 reply.

Nothing is decided here that the desk would decide differently: refusals come from the services
(their `DomainError` message becomes the screen message AF). Everything a kiosk does is recorded
with the SIP2 channel. `respond()` runs in a worker thread (the ORM is synchronous), one database
transaction per request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from catalog.models import Item, ItemStatus
from circulation import selectors, services
from circulation.models import Hold, Loan
from circulation.states import ACTIVE_HOLD_STATES, OPEN_LOAN_STATES, Channel, LoanState
from core.errors import DomainError
from core.models import Branch
from patrons.models import Member
from patrons.services.pins import check_pin, pin_locked
from sip2 import protocol
from sip2.models import (
    OPTIONAL_FIELDS,
    DueDateFormat,
    ErrorDetection,
    HomeBranchField,
    ItemProperties,
    SipAccount,
)
from sip2.protocol import Request, sip_date, yn
from sip2.services import authenticate, set_item_properties

log = logging.getLogger("pustaka.sip2")

CHANNEL = Channel.SIP2
# SIP2 language codes the spec defines that we can speak; anything else: the account's language.
LANGUAGES = {"001": "en", "024": "en"}
LANGUAGE_CODES = {"en": "001", "id": "000"}
# The order of the 16 "supported messages" flags (BX) in the 98 reply.
BX_ORDER = (
    "23", "11", "09", "01", "99", "97", "93", "63", "35", "37", "17", "19", "25", "15", "29", "65"
)  # fmt: skip
IMPLEMENTED = frozenset(BX_ORDER)
CIRCULATION_STATUS = {
    ItemStatus.AVAILABLE: "03",
    ItemStatus.ON_LOAN: "04",
    ItemStatus.IN_PROCESSING: "06",
    ItemStatus.ON_HOLD_SHELF: "08",
    ItemStatus.IN_TRANSIT: "10",
    ItemStatus.LOST: "12",
    ItemStatus.MISSING: "13",
}
PAYMENT_METHODS = {"00": "cash"}
BLOCK_PREFIX = "SIP2: "


@dataclass(eq=False)
class Session:
    """One kiosk connection."""

    peer: str = ""
    account: SipAccount | None = None
    last_reply: bytes | None = None
    last_key: tuple[str, str] | None = None
    last_sequence: str | None = None
    verified_pin: tuple | None = None
    library_name: str = ""
    last_code: str = ""
    zone: dt.tzinfo | None = None
    close: bool = False
    counts: dict[str, list[int]] = field(default_factory=dict)

    @property
    def encoding(self) -> str:
        return self.account.encoding if self.account else "utf-8"

    def count(self, code: str, *, error: bool = False) -> None:
        self.last_code = code
        entry = self.counts.setdefault(code, [0, 0])
        entry[0] += 1
        entry[1] += int(error)


@dataclass
class Reply:
    """A reply before the account's options are applied (`account_view`): a value of None
    leaves the field out; a datetime is formatted there (AH in the account's due date format)."""

    code: str
    fixed: str
    fields: list[tuple[str, object]]
    error: bool = False
    member: Member | None = None  # the member the reply is about (for the home branch option)


# ---------------------------------------------------------------------------------------------
# Entry point


# Answered on the event loop itself, without the database: a status poll or a resend request
# must not wait behind checkouts for a worker thread.
NO_DATABASE = frozenset({b"99", b"97"})
# Messages that only read: answered without a transaction of their own. On SQLite, where every
# transaction takes the write lock when it begins, wrapping them would queue an item lookup
# behind every checkout in progress (most of a kiosk's wait under load, in a profile).
READ_ONLY = frozenset({"93", "63", "23", "17", "35"})


def needs_database(session: Session, frame: bytes) -> bool:
    return session.account is None or frame.lstrip()[:2] not in NO_DATABASE


def respond(session: Session, frame: bytes, *, database: bool = True) -> bytes:
    """Answer one frame (without its terminator). Sets `session.close` when the connection
    must end (a message before login, a failed login)."""
    if database:
        _refresh_connection()
    text = frame.decode(session.encoding, errors="replace")
    policy = session.account.error_detection if session.account else ErrorDetection.AUTO
    try:
        request = protocol.parse(
            text, encoding=session.encoding, verify=policy != ErrorDetection.OFF
        )
    except protocol.FrameError as error:
        log.info("sip2 %s: 96 for %r (%s)", session.peer, text[:80], error)
        session.count("96", error=True)
        return b"96\r"
    missing_trailer = request.checksum is None or not request.sequence
    if policy == ErrorDetection.REQUIRED and missing_trailer and request.code != "97":
        session.count("96", error=True)
        return b"96\r"

    if request.code == "97":
        session.count("97")
        return session.last_reply or b"96\r"
    if request.retry_key is not None and request.retry_key == session.last_key:
        # The kiosk timed out and sent the same request again: the first answer, not a second act.
        session.count(request.code)
        return session.last_reply or b"96\r"

    if policy == ErrorDetection.REQUIRED and request.code != "93" and request.sequence:
        # A skipped or repeated sequence number (not a retry of the same frame): resend.
        expected = (int(session.last_sequence) + 1) % 10 if session.last_sequence else None
        if expected is not None and int(request.sequence) != expected:
            # Ask for a resend, and accept the resent frame (its number) so the kiosk recovers.
            session.last_sequence = str((int(request.sequence) - 1) % 10)
            session.count("96", error=True)
            return b"96\r"
    if request.sequence:
        session.last_sequence = request.sequence

    if session.account is None and request.code != "93":
        session.close = True
        session.count(request.code, error=True)
        return _encode(Reply("94", "0", []), request, session)

    reply = _dispatch(session, request, database=database)
    session.count(request.code, error=reply.error)
    data = _encode(reply, request, session)
    if request.retry_key is not None:
        session.last_key = request.retry_key
    session.last_reply = data
    return data


def _refresh_connection() -> None:
    """Drop a broken or expired database connection before the request. SQLite connections are
    kept (its CONN_MAX_AGE of 0 is for web requests; reopening costs a checkpoint each time)."""
    if connection.in_atomic_block:
        return  # called inside someone's transaction (tests): the connection is theirs
    if connection.vendor == "sqlite":
        if connection.connection is not None and not connection.is_usable():
            connection.close()
        return
    close_old_connections()


def _encode(reply: Reply, request: Request, session: Session) -> bytes:
    policy = session.account.error_detection if session.account else ErrorDetection.AUTO
    with_trailer = policy != ErrorDetection.OFF or request.checksum is not None
    return protocol.format_reply(
        reply.code,
        reply.fixed,
        reply.fields,
        sequence=request.sequence if with_trailer else None,
        with_checksum=with_trailer and request.checksum is not None,
        encoding=session.encoding,
    )


def _dispatch(session: Session, request: Request, *, database: bool = True) -> Reply:
    handler = HANDLERS[request.code]
    account = session.account
    language = LANGUAGES.get(request.fixed[:3]) if request.code in ("63", "23") else None
    language = language or (account.language if account else "id")
    zone = session.zone or timezone.get_current_timezone()
    with translation.override(language), timezone.override(zone):
        if account is not None and not account.allows(request.code):
            reply = _refusal(request, session, _("This kiosk may not do that."))
        else:
            try:
                if not database or request.code in READ_ONLY:
                    reply = handler(session, request)
                else:
                    with transaction.atomic():
                        reply = handler(session, request)
            except DomainError as error:
                reply = _refusal(request, session, str(error))
            except Exception:
                log.exception("sip2 %s: %s failed", session.peer, request.code)
                reply = _refusal(
                    request, session, _("Something went wrong. Please ask at the desk.")
                )
        return account_view(reply, account)


PERSONAL_FIELDS = frozenset(code for code, _label in OPTIONAL_FIELDS)
DUE_DATE_FORMATS = {
    DueDateFormat.SIP: sip_date,
    DueDateFormat.ISO: lambda moment: moment.strftime("%Y-%m-%d"),
    DueDateFormat.LOCAL: lambda moment: moment.strftime("%d/%m/%Y"),
}


def account_view(reply: Reply, account: SipAccount | None) -> Reply:
    """The one place where an account's field options shape a reply: personal fields it may
    not send and fields it hides are dropped, AH takes its due date format, the member's home
    branch goes to AQ or the screen message, and its prefix goes before the screen message."""
    if account is None:
        return reply
    hidden = set(PERSONAL_FIELDS - set(account.optional_fields or []))
    hidden |= set(account.hidden_fields or [])
    if "BV" in hidden:
        hidden.add("BH")  # no currency without an amount
    due_format = DUE_DATE_FORMATS.get(account.due_date_format, sip_date)
    member = reply.member
    home = None
    if account.home_branch_field and member is not None and member.home_branch_id:
        home = member.home_branch
    fields: list[tuple[str, object]] = []
    prefixed = False
    for field_id, value in reply.fields:
        if field_id in hidden:
            continue
        if isinstance(value, dt.datetime):
            value = due_format(value) if field_id == "AH" else sip_date(value)
        if field_id == "AF" and not prefixed:
            prefixed = True
            if home is not None and account.home_branch_field == HomeBranchField.AF:
                where = _("Home branch: %(branch)s.") % {"branch": home.name}
                value = f"{value} {where}" if value else where
            if home is not None and account.home_branch_field == HomeBranchField.AQ:
                fields.append(("AQ", home.code))
            if account.screen_message_prefix and value:
                value = f"{account.screen_message_prefix} {value}"
        fields.append((field_id, value))
    return Reply(reply.code, reply.fixed, fields, reply.error, member)


# ---------------------------------------------------------------------------------------------
# Helpers


def now() -> dt.datetime:
    return timezone.localtime()


def _date() -> str:
    return sip_date(now())


def _ao(session: Session, request: Request) -> str:
    return request.get("AO") or (session.account.ao if session.account else "")


def _find_member(code: str) -> Member | None:
    code = "".join(code.split())
    if not code:
        return None
    member = selectors.member_by_number(code)
    while member is not None and member.merged_into_id:
        member = Member.objects.select_related("category").filter(pk=member.merged_into_id).first()
    return member


def _find_item(code: str) -> Item | None:
    """By barcode (whitespace removed, as scanners add it) or by RFID tag."""
    code = "".join(code.split())
    if not code:
        return None
    # Only what replies use: the services lock and read the item again, and building a query
    # over every column of item, record and branch was a good part of an item lookup's time.
    return (
        Item.objects.select_related("record", "branch")
        .only(*ITEM_FIELDS)
        .filter(Q(barcode__in={code, code.upper()}) | Q(rfid_tag=code))
        .order_by("pk")
        .first()
    )


ITEM_FIELDS = (
    "barcode",
    "status",
    "record_id",
    "branch_id",
    "record__title",
    "branch__code",
    "branch__name",
)


def _open_loan_due(item: Item) -> Loan | None:
    """The item's open loan, its state and due date only (for item information)."""
    return (
        Loan.objects.filter(item=item, state__in=OPEN_LOAN_STATES)
        .only("state", "due_at")
        .order_by()
        .first()
    )


def _pin_ok(session: Session, member: Member | None, request: Request) -> bool:
    if member is None:
        return False
    pin = request.get("AD")
    if not pin and session.account is not None and not session.account.require_patron_pin:
        return True
    # A kiosk sends the PIN with every message of a patron's session: hash it once.
    key = (member.pk, member.pin_hash, hashlib.sha256(pin.encode()).digest())
    if pin and session.verified_pin == key:
        return True
    ok = check_pin(member, pin)
    session.verified_pin = key if ok else None
    return ok


def _patron_checked(session: Session, request: Request) -> tuple[Member | None, str]:
    """The member named by AA whose PIN (AD) is right, or None and the screen message."""
    member = _find_member(request.get("AA"))
    if member is None:
        return None, _("Member card not recognised. Please ask at the desk.")
    if not _pin_ok(session, member, request):
        if pin_locked(member):
            return None, _("Too many wrong PINs. Please ask at the desk.")
        return None, _("Wrong PIN.")
    return member, ""


def _branch(session: Session, code: str = "") -> Branch:
    if code:
        branch = Branch.objects.filter(code=code.strip()).first()
        if branch is not None:
            return branch
    return session.account.branch


def _parse_date(text: str) -> dt.datetime | None:
    """A SIP2 date (YYYYMMDDZZZZHHMMSS, local time) not in the future, else None."""
    try:
        naive = dt.datetime.strptime(text[:8] + text[12:18], "%Y%m%d%H%M%S")  # noqa: DTZ007
    except ValueError:
        return None
    moment = timezone.make_aware(naive)
    return moment if moment <= timezone.now() else None


def _due(loan: Loan) -> dt.datetime:
    """Formatted by `account_view` in the account's due date format."""
    return timezone.localtime(loan.due_at)


def _due_text(loan: Loan) -> str:
    return formats.date_format(timezone.localtime(loan.due_at).date(), "DATE_FORMAT")


def _no_block_staff(session: Session, request: Request, position: int) -> object | None:
    """A kiosk replaying offline transactions (no block = Y) acts with its staff member's
    right to override; without one the rules apply as usual."""
    if request.fixed[position : position + 1].upper() == "Y":
        return session.account.acting_user
    return None


def _refusal(request: Request, session: Session, message: str) -> Reply:
    """The negative answer of each message type, with `message` on the screen."""
    d = _date()
    ao = _ao(session, request)
    aa, ab = request.get("AA"), request.get("AB")
    af = ("AF", message)
    code = request.code
    if code == "11":
        return Reply(
            "12", "0NUN" + d, [("AO", ao), ("AA", aa), ("AB", ab), ("AJ", ""), ("AH", ""), af], True
        )  # noqa: E501
    if code == "29":
        return Reply(
            "30", "0NUN" + d, [("AO", ao), ("AA", aa), ("AB", ab), ("AJ", ""), ("AH", ""), af], True
        )  # noqa: E501
    if code == "09":
        return Reply("10", "0NNY" + d, [("AO", ao), ("AB", ab), ("AQ", ""), af], True)
    if code == "65":
        return Reply("66", "000000000" + d, [("AO", ao), af], True)
    if code == "15":
        return Reply("16", "0N" + d, [("AO", ao), ("AA", aa), af], True)
    if code == "17":
        return Reply("18", "010001" + d, [("AB", ab), ("AJ", ""), af], True)
    if code == "37":
        return Reply("38", "N" + d, [("AO", ao), ("AA", aa), af], True)
    if code == "35":
        return Reply("36", "N" + d, [("AO", ao), ("AA", aa), af], True)
    if code == "19":
        return Reply("20", "0" + d, [("AB", ab), ("AJ", ""), af], True)
    if code == "63":
        return Reply(
            "64",
            "Y" * 4 + " " * 10 + "000" + d + "0000" * 6,
            [("AO", ao), ("AA", aa), ("AE", ""), ("BL", "N"), ("CQ", "N"), af],
            True,
        )  # noqa: E501
    if code in ("23", "01", "25"):
        reply = "26" if code == "25" else "24"
        return Reply(
            reply,
            "Y" * 4 + " " * 10 + "000" + d,
            [("AO", ao), ("AA", aa), ("AE", ""), ("BL", "N"), ("CQ", "N"), af],
            True,
        )  # noqa: E501
    if code == "99":
        return Reply(
            "98", "NNNNNN000000" + d + "2.00", [("AO", ao), ("AM", ""), ("BX", "N" * 16), af], True
        )  # noqa: E501
    return Reply("94", "0", [], True)


# ---------------------------------------------------------------------------------------------
# Login and status


def login(session: Session, request: Request) -> Reply:
    account = authenticate(request.get("CN"), request.get("CO"))
    session.account = account  # a failed login clears an earlier one on this connection
    if account is None:
        log.info("sip2 %s: login refused for %r", session.peer, request.get("CN"))
        session.close = True
        return Reply("94", "0", [], True)
    from core.selectors import get_library

    session.library_name = get_library().name
    return Reply("94", "1", [])


def sc_status(session: Session, request: Request) -> Reply:
    account = session.account
    allows = account.allows
    timeout = min(account.timeout_seconds, 999)
    fixed = (
        "Y"
        + yn(allows("09"))
        + yn(allows("11"))
        + yn(allows("29"))
        + yn(allows("19") and "19" in IMPLEMENTED)
        + yn(account.acting_user_id is not None)
        + f"{timeout:03d}"
        + "003"
        + _date()
        + "2.00"
    )
    bx = "".join(yn(code in IMPLEMENTED and allows(code)) for code in BX_ORDER)
    return Reply(
        "98",
        fixed,
        [
            ("AO", account.ao),
            ("AM", session.library_name),
            ("BX", bx),
            ("AN", account.login),
            ("AF", ""),
            ("AG", ""),
        ],
    )


# ---------------------------------------------------------------------------------------------
# Patrons


def _patron_status(summary: selectors.MemberSummary | None, limit: int | None) -> str:
    """The 14 flags of a patron status (Y: denied / too many)."""
    if summary is None:
        return "Y" * 4 + " " * 10
    flags = [" "] * 14
    codes = {block.code for block in summary.blocks}
    if codes:
        flags[0] = flags[1] = flags[2] = flags[3] = "Y"
    if limit is not None and summary.loan_count >= limit:
        flags[5] = "Y"
    if "overdue" in codes:
        flags[6] = "Y"
    if "fines" in codes:
        flags[10] = "Y"
    return "".join(flags)


def _patron_screen(member: Member, summary: selectors.MemberSummary, pin_ok: bool) -> str:
    if not pin_ok:
        return _("Wrong PIN.")
    if summary.blocks:
        return _("You may not borrow now: %(reasons)s") % {
            "reasons": "; ".join(block.message for block in summary.blocks)
        }
    return _("Welcome, %(name)s.") % {"name": member.full_name}


def _language_code(request: Request) -> str:
    language = request.fixed[:3] if request.code in ("63", "23") else ""
    return language if language.strip() and language.isdigit() else "000"


def _patron_common(
    session: Session, request: Request, *, trusted: bool = False, loans: bool = False
):
    """`loans`: the reply lists loans (charged, overdue or fined items); otherwise only their
    counts are read, as the desk's panel does (a kiosk asks 24 and 63 at every sign-in)."""
    member = _find_member(request.get("AA"))
    pin_ok = member is not None and (trusted or _pin_ok(session, member, request))
    summary = None
    if member is not None:
        summary = selectors.member_summary(member, loan_limit=None if loans else 0)
    limit = None
    if member is not None:
        limit = selectors.loan_rules_for(member, "", session.account.branch).max_items
    return member, pin_ok, summary, limit


def _patron_fields(session, request, member, pin_ok, summary) -> list[tuple[str, object]]:
    fields: list[tuple[str, object]] = [
        ("AO", _ao(session, request)),
        ("AA", request.get("AA")),
        ("AE", member.full_name if member is not None and pin_ok else ""),
        ("BL", yn(member is not None)),
        ("CQ", yn(pin_ok)),
    ]
    if member is not None and pin_ok:
        fields += [("BH", "IDR"), ("BV", str(summary.owed))]
    return fields


def patron_status(session: Session, request: Request, *, trusted: bool = False) -> Reply:
    """24. `trusted`: the kiosk itself asked (01 block patron), so no PIN is needed."""
    member, pin_ok, summary, limit = _patron_common(session, request, trusted=trusted)
    fixed = _patron_status(summary if pin_ok else None, limit) + _language_code(request) + _date()
    fields = _patron_fields(session, request, member, pin_ok, summary)
    if member is None:
        fields.append(("AF", _("Member card not recognised. Please ask at the desk.")))
    else:
        fields.append(("AF", _patron_screen(member, summary, pin_ok)))
    return Reply("24", fixed, fields, error=member is None, member=member if pin_ok else None)


def patron_information(session: Session, request: Request) -> Reply:
    wanted = request.fixed[21:31].find("Y")  # which list the kiosk asks for, if any
    member, pin_ok, summary, limit = _patron_common(session, request, loans=wanted in (1, 2, 3))
    if member is None or not pin_ok:
        fixed = _patron_status(summary if pin_ok else None, limit) + _language_code(request)
        fields = _patron_fields(session, request, member, pin_ok, summary)
        message = (
            _("Member card not recognised. Please ask at the desk.")
            if member is None
            else _("Wrong PIN.")
        )
        return Reply("64", fixed + _date() + "0000" * 6, fields + [("AF", message)], True)

    holds = summary.holds
    unavailable = [hold for hold in holds if hold.state != "ready"]
    overdue = summary.overdue
    loans = summary.loans
    fine_items = [loan for loan in overdue]  # fines still accruing, by item
    late = summary.overdue_count
    counts = [len(holds), late, summary.loan_count, late, 0, len(unavailable)]
    fixed = (
        _patron_status(summary, limit)
        + _language_code(request)
        + _date()
        + "".join(f"{min(n, 9999):04d}" for n in counts)
    )
    fields = _patron_fields(session, request, member, pin_ok, summary)
    category = member.category
    fields += [
        ("BZ", None),
        ("CA", f"{category.overdue_block_count:04d}" if category.overdue_block_count else None),
        ("CB", f"{min(limit, 9999):04d}" if limit is not None else None),
        ("CC", str(category.fine_block_limit) if category.fine_block_limit is not None else None),
    ]
    try:
        start = max(1, int(request.get("BP") or 1))
    except ValueError:
        start = 1
    try:
        end = max(start, int(request.get("BQ") or start + 19))
    except ValueError:
        end = start + 19
    window = slice(start - 1, end)
    lists = {
        0: ("AS", [h.item.barcode if h.item_id else h.record.title for h in holds]),
        1: ("AT", [loan.item.barcode for loan in overdue]),
        2: ("AU", [loan.item.barcode for loan in loans]),
        3: ("AV", [loan.item.barcode for loan in fine_items]),
        4: ("BU", []),
        5: ("CD", [hold.record.title for hold in unavailable]),
    }
    if wanted in lists:
        field_id, values = lists[wanted]
        fields += [(field_id, value) for value in values[window]]
    # Personal fields: only those the account may send survive `account_view`.
    fields += [
        ("BD", " ".join(filter(None, [member.address, member.city]))),
        ("BE", member.email),
        ("BF", member.phone),
        ("PB", member.birth_date.strftime("%Y%m%d") if member.birth_date else None),
    ]
    if member.expires_on:
        fields.append(("PE", sip_date(dt.datetime.combine(member.expires_on, dt.time()))))
    fields.append(("AF", _patron_screen(member, summary, pin_ok)))
    return Reply("64", fixed, fields, member=member)


def end_session(session: Session, request: Request) -> Reply:
    return Reply(
        "36",
        "Y" + _date(),
        [
            ("AO", _ao(session, request)),
            ("AA", request.get("AA")),
            ("AF", _("Thank you. Goodbye!")),
        ],
    )


def block_patron(session: Session, request: Request) -> Reply:
    from patrons.services.members import block_member

    member = _find_member(request.get("AA"))
    if member is None:
        return _refusal(request, session, _("Member card not recognised. Please ask at the desk."))
    reason = BLOCK_PREFIX + (request.get("AL") or _("blocked by a kiosk"))
    block_member(member, reason, by=session.account.acting_user)
    return patron_status(session, request, trusted=True)


def patron_enable(session: Session, request: Request) -> Reply:
    from patrons.services.members import unblock_member

    member, message = _patron_checked(session, request)
    if member is None:
        return _refusal(request, session, message)
    if member.manual_block_reason.startswith(BLOCK_PREFIX):
        # Only a block a kiosk made may be lifted by a kiosk.
        unblock_member(member, _("lifted by a kiosk"), by=session.account.acting_user)
    reply = patron_status(session, request)
    return Reply("26", reply.fixed, reply.fields, reply.error, reply.member)


# ---------------------------------------------------------------------------------------------
# Items


def item_information(session: Session, request: Request) -> Reply:
    item = _find_item(request.get("AB"))
    if item is None:
        return _refusal(request, session, _("Item not recognised."))
    loan = _open_loan_due(item)
    status = CIRCULATION_STATUS.get(item.status, "01")
    if loan is not None and loan.state == LoanState.CLAIMED_RETURNED:
        status = "11"
    fields: list[tuple[str, object]] = [
        ("CF", f"{selectors.hold_queue_length(item.record_id)}"),
        ("AH", _due(loan) if loan is not None else None),
        ("AB", item.barcode),
        ("AJ", item.record.title),
        ("AQ", item.branch.code),
        ("AP", item.branch.code),
        ("CK", "001"),
    ]
    if item.status == ItemStatus.ON_HOLD_SHELF:
        hold = Hold.objects.filter(item=item, state="ready").first()
        if hold is not None and hold.pickup_deadline:
            deadline = dt.datetime.combine(hold.pickup_deadline, dt.time(23, 59, 59))
            fields.append(("CM", sip_date(deadline)))
    properties = ItemProperties.objects.filter(item=item).values_list("text", flat=True).first()
    fields.append(("CH", properties))
    fields.append(("AF", item.get_status_display()))
    return Reply("18", status + "0001" + _date(), fields)


def item_status_update(session: Session, request: Request) -> Reply:
    """19: keep the item properties (CH) a kiosk or sorter sends; 17 gives them back."""
    item = _find_item(request.get("AB"))
    if item is None:
        return _refusal(request, session, _("Item not recognised."))
    properties = set_item_properties(item, request.get("CH"), account=session.account)
    return Reply(
        "20",
        "1" + _date(),
        [
            ("AB", item.barcode),
            ("AJ", item.record.title),
            ("CH", properties.text if properties is not None else None),
            ("AF", _("Item properties saved.")),
        ],
    )


# ---------------------------------------------------------------------------------------------
# Checkout, check-in, renewals


def _loan_reply(code: str, session, request, item, loan, *, renewal: bool, message: str) -> Reply:
    desensitize = "N" if code == "30" else "Y"
    return Reply(
        code,
        "1" + yn(renewal) + "N" + desensitize + _date(),
        [
            ("AO", _ao(session, request)),
            ("AA", request.get("AA")),
            ("AB", item.barcode),
            ("AJ", item.record.title),
            ("AH", _due(loan)),
            ("CK", "001"),
            ("AF", message),
            ("AG", message),
        ],
    )


def checkout(session: Session, request: Request) -> Reply:
    member, message = _patron_checked(session, request)
    if member is None:
        return _refusal(request, session, message)
    item = _find_item(request.get("AB"))
    if item is None:
        return _refusal(request, session, _("Item not recognised."))
    if request.get("BI").upper() == "Y":
        # Cancel a checkout the kiosk could not finish (the security tag would not unlock).
        loan = selectors.open_loan_for_item(item)
        if loan is not None and loan.member_id == member.pk:
            services.check_in(item, staff=None, branch=session.account.branch, channel=CHANNEL)
        return Reply(
            "12",
            "1NNN" + _date(),
            [
                ("AO", _ao(session, request)),
                ("AA", request.get("AA")),
                ("AB", item.barcode),
                ("AJ", item.record.title),
                ("AH", ""),
                ("AF", _("Checkout cancelled.")),
            ],
        )
    staff = _no_block_staff(session, request, 1)
    result = services.check_out(
        item,
        member,
        staff=staff,
        branch=session.account.branch,
        channel=CHANNEL,
        override=staff is not None,
        override_reason=_("Offline transaction from a kiosk") if staff is not None else "",
    )
    if result.renewed or result.repeated:
        text = _("Already on loan to you: renewed, due back %(date)s.")
    else:
        text = _("Due back %(date)s.")
    text = text % {"date": _due_text(result.loan)}
    return _loan_reply(
        "12", session, request, item, result.loan, renewal=result.renewed, message=text
    )


def renew(session: Session, request: Request) -> Reply:
    member, message = _patron_checked(session, request)
    if member is None:
        return _refusal(request, session, message)
    item = _find_item(request.get("AB"))
    loan = None
    if item is not None:
        loan = selectors.open_loan_for_item(item)
    elif request.get("AJ"):
        loan = (
            Loan.objects.filter(
                member=member, state__in=OPEN_LOAN_STATES, item__record__title=request.get("AJ")
            )
            .select_related("item__record")
            .first()
        )
        item = loan.item if loan is not None else None
    if item is None:
        return _refusal(request, session, _("Item not recognised."))
    if loan is None or loan.member_id != member.pk:
        return _refusal(request, session, _("This item is not on loan to you."))
    staff = _no_block_staff(session, request, 1)
    loan = services.renew(
        loan,
        staff=staff,
        channel=CHANNEL,
        override=staff is not None,
        override_reason=_("Offline transaction from a kiosk") if staff is not None else "",
    )
    text = _("Renewed, due back %(date)s.") % {"date": _due_text(loan)}
    return _loan_reply("30", session, request, item, loan, renewal=True, message=text)


def renew_all(session: Session, request: Request) -> Reply:
    member, message = _patron_checked(session, request)
    if member is None:
        return _refusal(request, session, message)
    renewed, refused = [], []
    for loan in selectors.open_loans(member):
        try:
            with transaction.atomic():
                services.renew(loan, staff=None, channel=CHANNEL)
            renewed.append(loan.item.barcode)
        except DomainError:
            refused.append(loan.item.barcode)
    fixed = f"1{len(renewed):04d}{len(refused):04d}" + _date()
    fields: list[tuple[str, object]] = [("AO", _ao(session, request))]
    fields += [("BM", barcode) for barcode in renewed]
    fields += [("BN", barcode) for barcode in refused]
    text = _("%(renewed)s renewed, %(refused)s not renewed.") % {
        "renewed": len(renewed),
        "refused": len(refused),
    }
    fields.append(("AF", text))
    return Reply("66", fixed, fields)


def checkin(session: Session, request: Request) -> Reply:
    item = _find_item(request.get("AB"))
    if item is None:
        return _refusal(request, session, _("Item not recognised."))
    branch = _branch(session, request.get("AP"))
    at = None
    if request.fixed[:1].upper() == "Y":
        # An offline return replayed later (no block = Y): it happened at its return date.
        at = _parse_date(request.fixed_at(19, 18))
    result = services.check_in(item, staff=None, branch=branch, channel=CHANNEL, at=at)
    ok, alert = True, False
    fields: list[tuple[str, object]] = [
        ("AO", _ao(session, request)),
        ("AB", item.barcode),
        ("AQ", item.branch.code),
        ("AJ", item.record.title),
    ]
    if result.loan is not None and result.loan.member_id:
        fields.append(("AA", result.loan.member.number))
    alert_type = None
    if result.route == "hold_shelf":
        alert, alert_type = True, "01"
        message = _("Put this item on the hold shelf.")
        if result.hold is not None:
            fields.append(("CY", result.hold.member.number))
    elif result.route == "transfer" and result.destination is not None:
        alert = True
        alert_type = "02" if result.hold is not None else "04"
        fields.append(("CT", result.destination.code))
        message = _("Send this item to %(branch)s.") % {"branch": result.destination.name}
        if result.hold is not None:
            fields.append(("CY", result.hold.member.number))
    elif result.route == "set_aside":
        # Withdrawn, in processing or being repaired: a sorter sends it to staff.
        alert, alert_type = True, "99"
        message = _("Give this item to the library staff.")
    elif result.already_in:
        ok = session.account.checked_in_ok
        alert = not ok
        message = _("This item was not on loan.")
    else:
        message = _("Thank you. The item is returned.")
    if result.fine:
        message += " " + _("Overdue fine: Rp %(amount)s.") % {
            "amount": formats.number_format(result.fine, force_grouping=True)
        }
    if alert_type:
        fields.append(("CV", alert_type))
    fields += [("AF", message), ("AG", message)]
    fixed = ("1" if ok else "0") + "YN" + yn(alert) + _date()
    return Reply("10", fixed, fields, error=not ok)


# ---------------------------------------------------------------------------------------------
# Holds and fees


def _hold_reply(session: Session, request: Request, hold: Hold, message: str) -> Reply:
    """16 for a hold placed, changed or cancelled: where it stands in the queue, where it is
    collected and, once a copy waits on the hold shelf, until when (BW)."""
    expires = None
    if hold.state == "ready" and hold.pickup_deadline:
        expires = sip_date(dt.datetime.combine(hold.pickup_deadline, dt.time(23, 59, 59)))
    return Reply(
        "16",
        "1" + yn(hold.state == "ready") + _date(),
        [
            ("BW", expires),
            ("BR", str(hold.position)),
            ("BS", hold.pickup_branch.code),
            ("AO", _ao(session, request)),
            ("AA", request.get("AA")),
            ("AB", request.get("AB") or None),
            ("AJ", hold.record.title),
            ("AF", message % {"position": hold.position, "branch": hold.pickup_branch.name}),
        ],
    )


def hold(session: Session, request: Request) -> Reply:
    """+ place, - cancel, * modify (pickup branch BS) a member's hold on the title of item AB
    or title AJ."""
    member, message = _patron_checked(session, request)
    if member is None:
        return _refusal(request, session, message)
    mode = request.fixed[:1]
    if mode not in ("+", "-", "*"):
        return _refusal(request, session, _("Unknown hold mode."))
    code = request.get("AB") or request.get("AJ")
    record = selectors.find_record_for_hold("".join(code.split())) if code else None
    if record is None:
        return _refusal(request, session, _("Item not recognised."))
    if mode == "+":
        pickup = _branch(session, request.get("BS"))
        placed = services.place_hold(record, member, pickup_branch=pickup, channel=CHANNEL)
        placed.position = selectors.hold_position(placed)
        text = _("Hold placed: you are number %(position)s in the queue.")
        return _hold_reply(session, request, placed, text)
    existing = (
        Hold.objects.filter(record=record, member=member, state__in=ACTIVE_HOLD_STATES)
        .select_related("record", "pickup_branch")
        .first()
    )
    if existing is None:
        return _refusal(request, session, _("You have no hold on this title."))
    existing.position = selectors.hold_position(existing)
    if mode == "-":
        cancelled = services.cancel_hold(existing, staff=None, channel=CHANNEL, reason="kiosk")
        cancelled.position = existing.position  # the place it had, as the kiosk asked about it
        return _hold_reply(session, request, cancelled, _("Hold cancelled."))
    if request.get("BW"):
        # Holds wait until they are filled or cancelled: there is no end date to change.
        return _refusal(
            request, session, _("The end date of a hold cannot be changed. Please ask at the desk.")
        )
    code = request.get("BS").strip()
    if code:
        pickup = Branch.objects.filter(code__iexact=code).first()
        if pickup is None:
            return _refusal(request, session, _("Unknown pickup branch."))
        changed = services.change_hold_pickup(
            existing, pickup_branch=pickup, staff=None, channel=CHANNEL
        )
        changed.position = existing.position
        text = _(
            "Hold changed: collect it at %(branch)s. You are number %(position)s in the queue."
        )
        return _hold_reply(session, request, changed, text)
    text = _("Hold unchanged: you are number %(position)s in the queue.")
    return _hold_reply(session, request, existing, text)


def fee_paid(session: Session, request: Request) -> Reply:
    member, message = _patron_checked(session, request)
    if member is None:
        return _refusal(request, session, message)
    currency = request.fixed[22:25].strip().upper()
    if currency and currency != "IDR":
        return _refusal(request, session, _("Only Rupiah (IDR) can be paid here."))
    try:
        amount = Decimal(request.get("BV").replace(",", "."))
    except InvalidOperation:
        return _refusal(request, session, _("The amount is not a number."))
    if amount != amount.to_integral_value():
        return _refusal(request, session, _("The amount must be whole Rupiah."))
    method = PAYMENT_METHODS.get(request.fixed[20:22], "other")
    entry = services.pay(member, int(amount), method=method, staff=session.account.acting_user)
    return Reply(
        "38",
        "Y" + _date(),
        [
            ("AO", _ao(session, request)),
            ("AA", request.get("AA")),
            ("BK", entry.receipt_number),
            ("AF", _("Payment received. Receipt %(number)s.") % {"number": entry.receipt_number}),
        ],
    )


HANDLERS = {
    "93": login,
    "99": sc_status,
    "63": patron_information,
    "23": patron_status,
    "17": item_information,
    "19": item_status_update,
    "11": checkout,
    "09": checkin,
    "29": renew,
    "65": renew_all,
    "15": hold,
    "37": fee_paid,
    "35": end_session,
    "01": block_patron,
    "25": patron_enable,
}
