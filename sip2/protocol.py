"""SIP2 frames: parse what a kiosk sends, format what we answer. Pure functions, no Django.

A frame is `<2-digit code><fixed-length part><variable fields "XXvalue|"…>[AY<n>AZ<hhhh>]`,
ended by a carriage return. Parsing is tolerant, because real kiosks are sloppy: `\\r`, `\\n`
or `\\r\\n` endings, lower-case field ids and checksum digits, a fixed part that is too short
(a missing date, a `|` straight after it), empty or doubled delimiters, surrounding spaces,
unknown fields (ignored), a 3-digit checksum (the PyPI `sip2` client does not zero-pad).
Whatever cannot be made sense of raises `FrameError`, which the server answers with 96.

The checksum is the two's complement of the 16-bit sum of the bytes from the first character
through "AZ", in upper-case hex (SIP2 2.00). We verify it over the encoded bytes and, for
clients that sum characters instead of bytes (the `sip2` client), over the code points.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FIELD_DELIMITER = "|"
TERMINATOR = "\r"
DATE_LENGTH = 18

# Length of the fixed part of each request the ACS understands.
REQUEST_FIXED_LENGTH: dict[str, int] = {
    "93": 2,  # UID algorithm, PWD algorithm
    "99": 8,  # status code, max print width (3), protocol version (4)
    "63": 31,  # language (3), transaction date, summary (10)
    "23": 21,  # language (3), transaction date
    "11": 38,  # SC renewal policy, no block, transaction date, nb due date
    "09": 37,  # no block, transaction date, return date
    "17": 18,
    "29": 38,  # third party allowed, no block, transaction date, nb due date
    "65": 18,
    "15": 19,  # hold mode, transaction date
    "37": 25,  # transaction date, fee type (2), payment type (2), currency (3)
    "35": 18,
    "01": 19,  # card retained, transaction date
    "25": 18,
    "19": 18,
    "97": 0,
}

# Variable fields each request may carry (used to find where a sloppy fixed part ends).
_COMMON = {"AO", "AA", "AC", "AD", "AB", "AJ", "CH", "BO", "BI", "AP", "BP", "BQ"}
REQUEST_FIELDS: dict[str, set[str]] = {
    "93": {"CN", "CO", "CP"},
    "99": set(),
    "63": _COMMON,
    "23": _COMMON,
    "11": _COMMON,
    "09": _COMMON,
    "17": _COMMON,
    "29": _COMMON,
    "65": _COMMON,
    "15": _COMMON | {"BW", "BS", "BY"},
    "37": _COMMON | {"BV", "CG", "BK"},
    "35": _COMMON,
    "01": _COMMON | {"AL"},
    "25": _COMMON,
    "19": _COMMON,
    "97": set(),
}

# Fields whose value is kept exactly as sent (passwords may have spaces).
_UNSTRIPPED = {"AC", "AD", "CO"}

_TRAILER = re.compile(
    r"(?:\|?AY(?P<seq>[0-9]))?\|?AZ(?P<sum>[0-9A-Fa-f]{1,4})\s*$|\|?AY(?P<seqonly>[0-9])\|?\s*$",
    re.IGNORECASE,
)
_FIELD_ID = re.compile(r"[A-Za-z]{2}")


class FrameError(ValueError):
    """The frame cannot be understood (answer 96)."""


class ChecksumError(FrameError):
    """The frame carries a checksum that does not match (answer 96)."""


_CONTROL_CHARACTERS = {c: None for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]}


@dataclass
class Request:
    code: str
    fixed: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    sequence: str | None = None
    checksum: str | None = None
    raw: str = ""

    def get(self, field_id: str, default: str = "") -> str:
        values = self.fields.get(field_id)
        return values[0] if values else default

    def fixed_at(self, start: int, length: int) -> str:
        return self.fixed[start : start + length]

    @property
    def retry_key(self) -> tuple[str, str] | None:
        """A kiosk that timed out resends the very same frame: same sequence and checksum."""
        if self.checksum is None:
            return None
        return (self.sequence or "", self.checksum.upper().zfill(4))


def checksum(data: bytes) -> str:
    return f"{(-sum(data)) & 0xFFFF:04X}"


def checksum_matches(prefix: str, digits: str, encoding: str) -> bool:
    value = int(digits, 16)
    try:
        data = prefix.encode(encoding)
    except UnicodeEncodeError:
        data = prefix.encode("utf-8")
    if (sum(data) + value) & 0xFFFF == 0:
        return True
    return (sum(ord(c) for c in prefix) + value) & 0xFFFF == 0


def split_frames(buffer: bytes) -> tuple[list[bytes], bytes]:
    """Cut complete frames off `buffer` (ended by CR, LF or CRLF); return them and the rest."""
    frames: list[bytes] = []
    start = 0
    for index, byte in enumerate(buffer):
        if byte in (0x0D, 0x0A):
            frame = buffer[start:index]
            if frame.strip():
                frames.append(frame)
            start = index + 1
    return frames, buffer[start:]


def parse(text: str, *, encoding: str = "utf-8", verify: bool = True) -> Request:
    """Parse one frame (without its terminator). Raises FrameError / ChecksumError."""
    text = text.strip("\r\n\x00")
    stripped = text.lstrip()
    if len(stripped) < 2 or not stripped[:2].isdigit():
        raise FrameError("no message code")
    text = stripped
    code = text[:2]
    if code not in REQUEST_FIXED_LENGTH:
        raise FrameError(f"unsupported message {code}")

    sequence = digits = None
    body = text[2:]
    match = _TRAILER.search(body)
    if match:
        if match.group("sum") is not None:
            sequence, digits = match.group("seq"), match.group("sum")
            az = body.upper().rfind("AZ", match.start())
            prefix = text[: 2 + az + 2]
            if verify and not checksum_matches(prefix, digits, encoding):
                raise ChecksumError("checksum mismatch")
        else:
            sequence = match.group("seqonly")
        body = body[: match.start()]

    # Control characters (a NUL from a noisy line, say) are never part of a barcode, PIN or
    # name, and PostgreSQL refuses NUL in text: drop them once the checksum has been checked.
    body = body.translate(_CONTROL_CHARACTERS)
    fixed, variable = _split_fixed(code, body)
    fields: dict[str, list[str]] = {}
    for token in variable.split(FIELD_DELIMITER):
        token = token.lstrip(" \t")
        if len(token) < 2 or not _FIELD_ID.fullmatch(token[:2]):
            continue
        field_id = token[:2].upper()
        value = token[2:]
        if field_id not in _UNSTRIPPED:
            value = value.strip()
        fields.setdefault(field_id, []).append(value)
    return Request(
        code=code, fixed=fixed, fields=fields, sequence=sequence, checksum=digits, raw=text
    )


def _split_fixed(code: str, body: str) -> tuple[str, str]:
    """Where the fixed part ends: normally at its length; for a sloppy kiosk, at the first known
    field id within it (a short or missing date), or after a stray `|`."""
    length = REQUEST_FIXED_LENGTH[code]
    known = REQUEST_FIELDS[code]

    def field_at(i: int) -> bool:
        return body[i : i + 2].upper() in known

    if length == 0:
        return "", body
    if field_at(length):
        cut = length
    else:
        candidates = [i for i in range(0, min(length + 2, len(body))) if field_at(i)]
        cut = candidates[0] if candidates else min(length, len(body))
    fixed = body[:cut].rstrip(FIELD_DELIMITER)
    return fixed.ljust(length)[:length], body[cut:]


def sanitise(value: object) -> str:
    """A field value never carries the delimiter or a line end."""
    text = "" if value is None else str(value)
    return text.replace("|", "/").replace("\r", " ").replace("\n", " ")[:255]


def format_reply(
    code: str,
    fixed: str,
    fields: list[tuple[str, object]],
    *,
    sequence: str | None = None,
    with_checksum: bool = False,
    encoding: str = "utf-8",
) -> bytes:
    """Build a reply. `fields` is a list of (id, value); a value of None leaves the field out.
    With a sequence number, AY is appended; with `with_checksum`, AZ and the checksum."""
    text = code + fixed + "".join(f"{fid}{sanitise(v)}|" for fid, v in fields if v is not None)
    if sequence is not None:
        text += f"AY{sequence}"
    if with_checksum or sequence is not None:
        text += "AZ"
        data = text.encode(encoding, errors="replace")
        return data + checksum(data).encode("ascii") + b"\r"
    return text.encode(encoding, errors="replace") + b"\r"


def sip_date(moment) -> str:
    """YYYYMMDDZZZZHHMMSS in local time (four blanks for the zone)."""
    return moment.strftime("%Y%m%d    %H%M%S")


def yn(value: bool) -> str:
    return "Y" if value else "N"
