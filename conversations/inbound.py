"""Replies by e-mail: the asker answers the library's e-mail and the answer joins the thread.

Outgoing thread e-mails carry a Reply-To with a secret per thread, plus-addressed on the
library's question address (`PUSTAKA_QUESTION_REPLY_ADDRESS`, e.g. `tanya@perpus.example` gives
`tanya+42x3f…@perpus.example`; unset, no Reply-To is added). The mail server hands each message
to `pustaka receive_mail` (a pipe, as RT's rt-mailgate, or a Maildir), which calls `receive`:

1. the Message-ID (or, without one, a hash of the message) is looked up: a message seen before
   changes nothing (`InboundMail` has it under a unique constraint);
2. automatic answers (out of office, bounces, lists) are set aside so that no loop can start;
3. the thread is found by the token in the recipient address (an HMAC of the thread's secret
   code: a guessed or altered token finds nothing);
4. the sender must be the asker's address (the one the thread was asked with, or the account's);
5. the text is taken from the plain part, or the HTML part made plain, in its charset; quoted
   text, the "On … wrote:" / "Pada … menulis:" line and everything after it, forwarded
   headers and signatures are removed (`strip_reply`);
6. `services.patron_reply` adds it, as from the web: the question opens again and staff are told.

Every outcome is kept (`InboundMail`) and logged; refusals are never bounced to the sender.

Quoted text is removed by hand: the libraries that do this (email-reply-parser, last released
2020; mail-parser-reply, 13 languages; talon, unmaintained since 2017) know no Indonesian reply
header ("Pada … menulis:", "Dari:/Dikirim:", "Dikirim dari …"), and the rules are a screenful.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import logging
import re
from dataclasses import dataclass
from email.message import Message as MimeMessage
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.crypto import constant_time_compare, salted_hmac

from conversations.models import InboundMail, Question
from core.errors import DomainError

logger = logging.getLogger("pustaka.conversations.mail")

SETTING = "PUSTAKA_QUESTION_REPLY_ADDRESS"
SALT = "conversations.reply-by-mail"
_TOKEN = re.compile(r"(\d{1,19})x([0-9a-f]{24})")
_TOKEN_IN_ADDRESS = re.compile(r"\+(\d{1,19}x[0-9a-f]{24})@", re.IGNORECASE)
RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "To", "Cc")
Outcome = InboundMail.Outcome


# ---------------------------------------------------------------------------------------------
# The address


def base_address() -> str:
    value = getattr(settings, SETTING, None)
    if value is None:
        from config.env import env_str

        value = env_str(SETTING, "")
    return (value or "").strip()


def reply_token(question: Question) -> str:
    """Digits, "x" and lowercase hex only: safe in an address, even through a server that
    changes the case of the local part."""
    digest = salted_hmac(SALT, question.code, algorithm="sha256").hexdigest()[:24]
    return f"{question.pk}x{digest}"


def reply_address(question: Question) -> str:
    """The Reply-To of the thread's e-mails, or "" when no question address is set."""
    base = base_address()
    if "@" not in base:
        return ""
    local, domain = base.rsplit("@", 1)
    return f"{local.split('+', 1)[0]}+{reply_token(question)}@{domain}"


def question_for_token(token: str) -> Question | None:
    match = _TOKEN.fullmatch((token or "").lower())
    if match is None:
        return None
    question = Question.objects.filter(pk=int(match.group(1))).first()
    if question is None or not constant_time_compare(reply_token(question), match.group(0)):
        return None
    return question


def find_token(message: MimeMessage, recipient: str = "") -> str:
    values = [recipient] + [str(v) for name in RECIPIENT_HEADERS for v in message.get_all(name, [])]
    for _name, address in getaddresses([v for v in values if v]):
        match = _TOKEN_IN_ADDRESS.search(address)
        if match:
            return match.group(1).lower()
    return ""


# ---------------------------------------------------------------------------------------------
# The text


class _HtmlText(HTMLParser):
    """HTML made plain: paragraphs and line breaks kept, scripts and styles dropped, and
    nothing after the start of the quoted message (Gmail, Outlook, Apple Mail, Thunderbird,
    Yahoo mark it)."""

    BLOCKS = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table"}
        | {"blockquote", "pre", "hr", "section", "article"}
    )
    SKIP = frozenset({"script", "style", "head", "title"})
    QUOTE_CLASSES = ("gmail_quote", "yahoo_quoted", "moz-cite-prefix", "protonmail_quote")
    QUOTE_IDS = ("divrplyfwdmsg", "appendonsend", "reply-intro")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.done = False

    def handle_starttag(self, tag, attrs) -> None:
        if self.done:
            return
        attributes = {name: (value or "") for name, value in attrs}
        classes = attributes.get("class", "").lower()
        if (
            tag == "blockquote"
            or any(name in classes for name in self.QUOTE_CLASSES)
            or attributes.get("id", "").lower() in self.QUOTE_IDS
        ):
            self.done = True
            return
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        elif tag in self.BLOCKS and tag != "br":
            self.parts.append("\n")

    def handle_data(self, data) -> None:
        if not self.done and not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _content(part: MimeMessage) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError):  # an unknown or wrong charset
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


def body_text(message: MimeMessage) -> str:
    """The message's own text: the plain part, else the HTML part made plain."""
    part = message.get_body(preferencelist=("plain",))
    if part is not None:
        return _content(part)
    part = message.get_body(preferencelist=("html",))
    if part is not None:
        return html_to_text(_content(part))
    return ""


_WROTE = re.compile(
    r"^\s*(on\s.+\swrote|pada\s.+\smenulis|le\s.+\sa\s+écrit|am\s.+\sschrieb)\s*:\s*$",
    re.IGNORECASE,
)
_WROTE_START = re.compile(r"^\s*(on|pada)\s", re.IGNORECASE)
_SEPARATOR = re.compile(
    r"^\s*(-{2,}\s*(original message|pesan asli|forwarded message|pesan yang diteruskan|"
    r"pesan terusan)\s*-{2,}|_{20,})\s*$",
    re.IGNORECASE,
)
_FROM_LINE = re.compile(r"^\s*\*?(from|dari)\*?\s*:", re.IGNORECASE)
_HEADER_LINE = re.compile(
    r"^\s*\*?(sent|date|to|subject|cc|dikirim|tanggal|kepada|subjek|perihal)\*?\s*:",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^(--\s*|__\s*)$")
_SENT_FROM = re.compile(
    r"^\s*(sent from my\s|dikirim dari\s|get outlook for\s|sent from (yahoo|mail) )",
    re.IGNORECASE,
)


def strip_reply(text: str) -> str:
    """The new text of a reply: quoted lines (">"), the "On … wrote:" / "Pada … menulis:" line
    and all after it, a forwarded or Outlook header block and after, and a signature (after
    "-- " or "Sent from my …" / "Dikirim dari …") are removed."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if _WROTE.match(line) or (
            _WROTE_START.match(line) and _WROTE.match(f"{line} {following.strip()}")
        ):
            break
        if _SEPARATOR.match(line) or _SIGNATURE.match(line) or _SENT_FROM.match(line):
            break
        if _FROM_LINE.match(line) and any(
            _HEADER_LINE.match(next_line) for next_line in lines[index + 1 : index + 5]
        ):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


# ---------------------------------------------------------------------------------------------
# Receiving


@dataclass(frozen=True)
class Received:
    outcome: str
    question_id: int | None
    duplicate: bool = False
    detail: str = ""


def _message_id(message: MimeMessage, raw: bytes) -> str:
    value = " ".join(str(message.get("Message-ID", "")).split())
    if value:
        return value[:255]
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _is_automatic(message: MimeMessage) -> bool:
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return (
        auto != "no"
        or precedence in {"bulk", "junk", "list", "auto_reply"}
        or any(message.get(name) for name in ("X-Autoreply", "X-Autorespond", "List-Id"))
        or str(message.get("Content-Type", "")).lower().startswith("multipart/report")
    )


def _asker_addresses(question: Question) -> set[str]:
    addresses = {question.email}
    if question.asker_id and question.asker.email:
        addresses.add(question.asker.email)
    return {address.strip().casefold() for address in addresses if address}


def _keep(message_id: str, outcome: str, *, question=None, sender="", detail="") -> Received:
    row, created = InboundMail.objects.get_or_create(
        message_id=message_id,
        defaults={
            "outcome": outcome,
            "question": question,
            "sender": sender[:254],
            "detail": detail[:300],
        },
    )
    return Received(row.outcome, row.question_id, duplicate=not created, detail=row.detail)


def receive(raw: bytes, *, recipient: str = "") -> Received:
    """Handle one RFC 822 message (see the module's description)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    message_id = _message_id(message, raw)
    seen = InboundMail.objects.filter(message_id=message_id).first()
    if seen is not None:
        logger.info("mail %s: seen before (%s), nothing done", message_id, seen.outcome)
        return Received(seen.outcome, seen.question_id, duplicate=True, detail=seen.detail)
    sender = parseaddr(str(message.get("From", "")))[1].strip()
    if _is_automatic(message):
        logger.info("mail %s from %s: an automatic message, set aside", message_id, sender)
        return _keep(message_id, Outcome.AUTO_REPLY, sender=sender)
    token = find_token(message, recipient)
    question = question_for_token(token) if token else None
    if question is None:
        logger.warning("mail %s from %s: no thread for its address, refused", message_id, sender)
        return _keep(message_id, Outcome.UNKNOWN_THREAD, sender=sender, detail=token)
    if sender.casefold() not in _asker_addresses(question):
        logger.warning(
            "mail %s: sender %s is not the asker of question %s, refused",
            message_id,
            sender,
            question.pk,
        )
        return _keep(message_id, Outcome.WRONG_SENDER, question=question, sender=sender)
    text = strip_reply(body_text(message))
    if not text:
        logger.info("mail %s for question %s: no text of its own", message_id, question.pk)
        return _keep(message_id, Outcome.EMPTY, question=question, sender=sender)
    from conversations import services

    try:
        with transaction.atomic():
            InboundMail.objects.create(
                message_id=message_id, question=question, sender=sender, outcome=Outcome.ADDED
            )
            services.patron_reply(question, text)
    except IntegrityError:  # the same message, handled meanwhile by another delivery
        seen = InboundMail.objects.get(message_id=message_id)
        return Received(seen.outcome, seen.question_id, duplicate=True, detail=seen.detail)
    except DomainError as error:
        logger.warning("mail %s for question %s refused: %s", message_id, question.pk, error.code)
        return _keep(
            message_id, Outcome.REFUSED, question=question, sender=sender, detail=error.code
        )
    logger.info("mail %s added to question %s", message_id, question.pk)
    return Received(Outcome.ADDED, question.pk)
