"""ISO 2709 (MARC21 transmission format): cutting a byte stream into records and decoding one
record into a pymarc `Record`, with a clear reason when it cannot be done.

Why not pymarc's MARCReader: it trusts leader/09 for the encoding (UTF-8 files flagged as
MARC-8 come out as mojibake), turns Windows code pages into silent garbage, prints MARC-8
problems on stderr instead of reporting them, and a trailing newline after the last record
becomes a bogus record. Here every record is decoded on its own evidence:

- leader/09 'a'  -> UTF-8, strictly (invalid bytes make the record bad);
- leader/09 blank -> MARC-8, unless the bytes are valid UTF-8 with non-ASCII characters and no
  MARC-8 escapes (a UTF-8 record whose leader lies), which is read as UTF-8 with a warning;
- MARC-8 is decoded with pymarc's code tables, but undefined characters, broken multibyte
  (CJK) sequences and long runs of combining marks (what a Windows-1251 record looks like in
  MARC-8) make the record bad instead of producing garbage.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.utils.translation import gettext as _
from pymarc import Field, Indicators, Leader, Subfield, marc8_mapping
from pymarc import Record as MarcRecord

END_OF_RECORD = 0x1D
END_OF_FIELD = b"\x1e"
SUBFIELD = "\x1f"
BLOCK = 1 << 20
_PADDING = b" \r\n\t\x00\x1a"


class RecordError(Exception):
    """This record cannot be read; `reason` says why, `field` where (a tag), if known."""

    def __init__(self, reason: str, field: str = "", identifier: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field
        self.identifier = identifier


@dataclass
class Chunk:
    position: int  # 1-based record number in the file
    data: bytes
    problem: str = ""  # the chunk is not a whole record: why


class _Buffer:
    """A read buffer over a stream that hands out byte ranges without copying the rest."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.data = b""
        self.pos = 0
        self.eof = False

    def ensure(self, size: int) -> bool:
        """Make `size` bytes from the current position available, if the stream has them."""
        if len(self.data) - self.pos >= size:
            return True
        parts = [self.data[self.pos :]]
        have = len(parts[0])
        while have < size and not self.eof:
            block = self.stream.read(max(BLOCK, size - have))
            if not block:
                self.eof = True
                break
            parts.append(block)
            have += len(block)
        self.data = b"".join(parts)
        self.pos = 0
        return have >= size

    def skip_padding(self) -> bool:
        """Skip whitespace between records; False at the end of the stream."""
        while True:
            if not self.ensure(1):
                return False
            while self.pos < len(self.data) and self.data[self.pos] in _PADDING:
                self.pos += 1
            if self.pos < len(self.data):
                return True

    def byte(self, offset: int) -> int:
        return self.data[self.pos + offset]

    def find_end(self) -> int | None:
        """Bytes up to and including the next record terminator, or None if there is none."""
        searched = 0
        while True:
            index = self.data.find(b"\x1d", self.pos + searched)
            if index >= 0:
                return index - self.pos + 1
            searched = len(self.data) - self.pos
            if self.eof:
                return None
            self.ensure(searched + BLOCK)
            if len(self.data) - self.pos == searched:
                return None

    def take(self, size: int) -> bytes:
        chunk = self.data[self.pos : self.pos + size]
        self.pos += len(chunk)
        return chunk


def chunks(stream: BinaryIO, *, after: int = 0) -> Iterator[Chunk]:
    """The records of an ISO 2709 stream as byte chunks, in order, with flat memory.

    A record ends where its leader's length says when a record terminator (0x1D) is there;
    otherwise at the next terminator, and the chunk is reported as damaged. Whitespace
    between records (a newline after the last one, padding) is not a record. Records up to
    `after` are skipped without being decoded (resuming an import)."""
    buffer = _Buffer(stream)
    position = 0
    while buffer.skip_padding():
        position += 1
        buffer.ensure(5)
        head = buffer.data[buffer.pos : buffer.pos + 5]
        length = int(head) if len(head) == 5 and head.isdigit() else 0
        problem = ""
        if length >= 25 and buffer.ensure(length) and buffer.byte(length - 1) == END_OF_RECORD:
            data = buffer.take(length)
        else:
            end = buffer.find_end()
            if end is None:
                data = buffer.take(len(buffer.data) - buffer.pos)
                problem = _("the file ends in the middle of this record (truncated)")
            elif not length:
                data = buffer.take(end)
                problem = _("the record length in the leader is not a number")
            else:
                data = buffer.take(end)
                problem = _(
                    "the leader gives a record length of %(length)s bytes but the record has "
                    "%(actual)s (a damaged or truncated record)"
                ) % {"length": length, "actual": end}
        if position > after:
            yield Chunk(position, data, problem)


def count_records(stream: BinaryIO) -> int:
    """How many records a file holds (terminators, plus an unterminated tail)."""
    total = 0
    tail = False
    while block := stream.read(BLOCK):
        total += block.count(b"\x1d")
        last = block.rfind(b"\x1d")
        if last >= 0:
            tail = bool(block[last + 1 :].strip(_PADDING))
        else:
            tail = tail or bool(block.strip(_PADDING))
    return total + (1 if tail else 0)


# ---------------------------------------------------------------------------------------------
# MARC-8

_BASIC_LATIN = 0x42
_ANSEL = 0x45
_G0_ESCAPES = {ord("("), ord(","), ord("$")}
_G1_ESCAPES = {ord(")"), ord("-"), ord("$")}
_MAX_COMBINING_RUN = 3


@dataclass
class Marc8Result:
    text: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def marc8_to_unicode(data: bytes) -> Marc8Result:
    """MARC-8 bytes (one subfield) to NFC text, as pymarc does it, but reporting problems."""
    result = Marc8Result("")
    if not data:
        return result
    g0, g1 = _BASIC_LATIN, _ANSEL
    out: list[str] = []
    combining: list[str] = []
    combining_run = 0
    pos = 0
    size = len(data)
    codesets = marc8_mapping.CODESETS
    while pos < size:
        byte = data[pos]
        if byte == 0x1B:
            following = data[pos + 1] if pos + 1 < size else -1
            if following in _G0_ESCAPES:
                if pos + 2 >= size:
                    result.warnings.append(
                        _("an incomplete escape sequence at the end was ignored")
                    )
                    break
                if following == ord("$") and data[pos + 2] == ord(","):
                    pos += 1
                g0 = data[pos + 2]
                pos += 3
                if g0 not in codesets:
                    result.errors.append(
                        _("unknown MARC-8 character set %(set)s") % {"set": f"0x{g0:02X}"}
                    )
                    return result
                continue
            if following in _G1_ESCAPES:
                if pos + 2 >= size:
                    result.warnings.append(
                        _("an incomplete escape sequence at the end was ignored")
                    )
                    break
                if following == ord("$") and data[pos + 2] == ord("-"):
                    pos += 1
                g1 = data[pos + 2]
                pos += 3
                if g1 not in codesets:
                    result.errors.append(
                        _("unknown MARC-8 character set %(set)s") % {"set": f"0x{g1:02X}"}
                    )
                    return result
                continue
            if following in codesets:
                g0 = following
                pos += 2
                continue
            if following == 0x73:
                g0 = _BASIC_LATIN
                pos += 2
                continue
            result.warnings.append(_("a stray escape character (0x1B) was removed"))
            pos += 1
            continue
        if g0 == 0x31:  # EACC: three bytes a character
            if pos + 3 > size:
                result.errors.append(
                    _("a multibyte (EACC) character is cut off: the CJK text is damaged")
                )
                break
            code = (data[pos] << 16) | (data[pos + 1] << 8) | data[pos + 2]
            pos += 3
            table = codesets[g0]
        else:
            code = byte
            pos += 1
            if code < 0x20 or 0x80 < code < 0xA0:
                continue
            if code == 0x7F:
                result.warnings.append(_("a DEL character (0x7F) was read as a space"))
                out.append(" ")
                continue
            table = codesets[g1] if code > 0x80 else codesets[g0]
        mapped = table.get(code)
        if mapped is None and code == 0x20:
            mapped = (0x20, 0)  # a space is a space in every set (pymarc complains, then agrees)
        if mapped is None:
            odd = marc8_mapping.ODD_MAP.get(code)
            if odd is not None:
                out.append(chr(odd))
                continue
            if g0 == 0x31:
                result.errors.append(
                    _("%(code)s is not an EACC (CJK) character") % {"code": f"0x{code:06X}"}
                )
            else:
                result.errors.append(
                    _("byte %(byte)s is not a MARC-8 character") % {"byte": f"0x{code:02X}"}
                )
            continue
        uni, is_combining = mapped
        if is_combining:
            combining.append(chr(uni))
            combining_run += 1
            if combining_run > _MAX_COMBINING_RUN:
                result.errors.append(
                    _(
                        "too many accents in a row for MARC-8 text (is the record in a Windows "
                        "code page such as cp1251?)"
                    )
                )
                return result
        else:
            combining_run = 0
            out.append(chr(uni))
            if combining:
                out.extend(combining)
                combining = []
    result.text = unicodedata.normalize("NFC", "".join(out))
    return result


# ---------------------------------------------------------------------------------------------
# One record

# Control characters that have no place in text (XML cannot even hold them); 0x1F is the
# subfield delimiter and stays until the field is split.
_BAD_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1e]")


@dataclass
class Decoded:
    record: MarcRecord
    encoding: str  # "utf-8" or "marc-8"
    warnings: list[str]
    length: int  # bytes in the file


def _control_number(data: bytes, base: int, directory: bytes) -> str:
    for start in range(0, len(directory) - 11, 12):
        entry = directory[start : start + 12]
        if entry[:3] == b"001" and entry[3:12].isdigit():
            length, offset = int(entry[3:7]), int(entry[7:12])
            return data[base + offset : base + offset + length - 1].decode("latin-1").strip()[:60]
    return ""


_DIRECTORY = re.compile(rb"(?:[\x20-\x7e]{3}[0-9]{9})+")
_BAD_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1d]")


def decode(data: bytes) -> Decoded:
    """One ISO 2709 record to a pymarc Record (text in Unicode); RecordError if it cannot.

    A record with nothing to report (the common case) takes a short path; any record the
    short path has a doubt about is decoded by the full one, which gives the same result for
    records the short path takes, and the reasons and warnings for the rest."""
    return _decode_plain(data) or _decode_checked(data)


# Indicator pairs seen so far (a few dozen in a whole catalogue; ASCII ones only, so the
# table stays small whatever the file): shared, as tuples are.
_INDICATORS: dict[str, Indicators] = {}
_new_field = Field.__new__
_new_tuple = tuple.__new__


def _decode_plain(data: bytes) -> Decoded | None:
    """The short path: a record whose text is UTF-8 (leader/09 'a') or plain ASCII, whose
    leader, directory and fields are in order, with no control characters in its text, two
    indicators and letter-or-digit subfield codes in every field. None for anything else
    (the full path then decodes it, or says what is wrong with it)."""
    size = len(data)
    if size < 25 or data[-1] != END_OF_RECORD:
        return None
    head = data[:24]
    if not head.isascii():
        return None
    leader = head.decode("ascii")
    if not leader[12:17].isdigit():
        return None
    base = int(leader[12:17])
    if base < 25 or base >= size or data[base - 1] != 0x1E:
        return None
    directory = data[24 : base - 1]
    if not directory or len(directory) % 12 or not _DIRECTORY.fullmatch(directory):
        return None
    body = data[base:-1]  # without the record terminator
    if _BAD_CONTROL_BYTES.search(body):
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    plain = len(text) == len(body)  # ASCII: byte offsets are character offsets
    if leader[9] == "a":
        encoding = "utf-8"
    elif plain:
        encoding = "marc-8"  # ASCII reads the same in MARC-8
    else:
        return None
    if _ODD_CODE.search(text):
        return None
    end_of_body = len(body)
    fields: list[Field] = []
    append = fields.append
    entries = directory.decode("ascii")
    for start in range(0, len(entries), 12):
        tag = entries[start : start + 3]
        offset = int(entries[start + 7 : start + 12])
        end = offset + int(entries[start + 3 : start + 7])
        if end > end_of_body:
            return None
        if plain:
            value = text[offset:end]
        else:
            try:
                value = body[offset:end].decode("utf-8")
            except UnicodeDecodeError:
                return None
        if value[-1:] == "\x1e":
            value = value[:-1]
        if "\x1e" in value:
            return None
        field = _new_field(Field)
        field.tag = tag
        if tag < "010" and tag.isdigit():
            field.data = value.replace(SUBFIELD, "")
            field._indicators = None
            field.subfields = []
            field.control_field = True
        else:
            parts = value.split(SUBFIELD)
            pair = parts[0]
            indicators = _INDICATORS.get(pair)
            if indicators is None:
                if len(pair) != 2:
                    return None
                indicators = Indicators(pair[0], pair[1])
                if pair.isascii():
                    _INDICATORS[pair] = indicators
            field.data = None
            field._indicators = indicators
            field.subfields = [
                _new_tuple(Subfield, (part[0], part[1:])) for part in parts[1:] if part
            ]
            field.control_field = False
        append(field)
    record = MarcRecord()
    record.leader = Leader(leader)
    record.fields = fields
    return Decoded(record, encoding, [], size)


def _decode_checked(data: bytes) -> Decoded:
    """The full path: every check, with the reason when the record cannot be read."""
    if len(data) < 25:
        raise RecordError(_("the record is too short to have a leader"))
    raw_leader = data[:24]
    if not raw_leader.isascii():
        bad = next(i for i, b in enumerate(raw_leader) if b >= 0x80)
        raise RecordError(
            _("the leader has a non-ASCII byte (%(byte)s at position %(position)s)")
            % {"byte": f"0x{raw_leader[bad]:02X}", "position": bad},
            "leader",
        )
    leader = raw_leader.decode("ascii")
    if not leader[12:17].isdigit():
        raise RecordError(_("the base address of data in the leader is not a number"), "leader")
    base = int(leader[12:17])
    if base < 25 or base > len(data):
        raise RecordError(
            _("the base address of data (%(base)s) is outside the record") % {"base": base},
            "leader",
        )
    directory = data[24 : base - 1]
    identifier = _control_number(data, base, directory)
    if data[base - 1 : base] != END_OF_FIELD or len(directory) % 12:
        raise RecordError(
            _("the directory is damaged (its length is not a multiple of 12)"),
            "directory",
            identifier,
        )
    if not directory:
        raise RecordError(_("the record has no fields"), "directory", identifier)
    if not _DIRECTORY.fullmatch(directory):
        for start in range(0, len(directory), 12):
            if not _DIRECTORY.fullmatch(directory[start : start + 12]):
                tag = directory[start : start + 3].decode("latin-1")
                raise RecordError(
                    _(
                        "directory entry %(number)s (field %(tag)s) is damaged: its tag, "
                        "length or position is not readable"
                    )
                    % {"number": start // 12 + 1, "tag": tag},
                    "directory",
                    identifier,
                )
    text = directory.decode("ascii")
    entries = [
        (text[i : i + 3], int(text[i + 3 : i + 7]), int(text[i + 7 : i + 12]))
        for i in range(0, len(text), 12)
    ]

    warnings: list[str] = []
    body = data[base:]
    size = len(body)
    clean = not _BAD_CONTROL_BYTES.search(body, 0, size - 1)
    if leader[9] == "a":
        encoding = "utf-8"
    elif b"\x1b" not in body and not body.isascii() and _is_utf8(body):
        encoding = "utf-8"
        warnings.append(_("leader/09 says MARC-8 but the text is UTF-8; read as UTF-8"))
    else:
        encoding = "marc-8"

    fields: list[Field] = []
    append = fields.append
    if clean and body.isascii():
        # The common case: plain ASCII, byte offsets are character offsets.
        ascii_body = body.decode("ascii")
        for tag, length, offset in entries:
            if offset + length > size:
                raise RecordError(
                    _("field %(tag)s lies beyond the end of the record (truncated?)")
                    % {"tag": tag},
                    tag,
                    identifier,
                )
            append(_field(tag, ascii_body[offset : offset + length].rstrip("\x1e"), warnings))
    else:
        for tag, length, offset in entries:
            if offset + length > size:
                raise RecordError(
                    _("field %(tag)s lies beyond the end of the record (truncated?)")
                    % {"tag": tag},
                    tag,
                    identifier,
                )
            raw = body[offset : offset + length]
            if raw.endswith(END_OF_FIELD):
                raw = raw[:-1]
            append(_field(tag, _text(raw, encoding, tag, warnings, identifier), warnings))
    record = MarcRecord()
    record.leader = Leader(leader)
    record.fields = fields
    return Decoded(record, encoding, warnings, len(data))


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _text(raw: bytes, encoding: str, tag: str, warnings: list[str], identifier: str) -> str:
    if encoding == "utf-8" or (raw.isascii() and b"\x1b" not in raw):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise RecordError(
                _(
                    "field %(tag)s is not valid UTF-8 (byte %(byte)s at byte %(offset)s of the "
                    "field); the record may be in another encoding"
                )
                % {"tag": tag, "byte": f"0x{raw[error.start]:02X}", "offset": error.start},
                tag,
                identifier,
            ) from None
    else:
        pieces = []
        for part in raw.split(b"\x1f"):
            result = marc8_to_unicode(part)
            if result.errors:
                raise RecordError(
                    _("field %(tag)s: %(problem)s; the record is not valid MARC-8")
                    % {"tag": tag, "problem": result.errors[0]},
                    tag,
                    identifier,
                )
            for warning in result.warnings:
                warnings.append(_("field %(tag)s: %(problem)s") % {"tag": tag, "problem": warning})
            pieces.append(result.text)
        text = SUBFIELD.join(pieces)
    if _BAD_CONTROL.search(text):
        warnings.append(_("field %(tag)s: control characters removed") % {"tag": tag})
        text = _BAD_CONTROL.sub("", text)
    return text


_ODD_CODE = re.compile("\x1f[^\x20-\x7e\x1f]")


def _field(tag: str, text: str, warnings: list[str]) -> Field:
    if tag < "010" and tag.isdigit():
        return Field(tag=tag, data=text.replace(SUBFIELD, ""))
    parts = text.split(SUBFIELD)
    indicators = parts[0]
    if len(indicators) != 2:
        if len(indicators) > 2:
            warnings.append(
                _("field %(tag)s: %(count)s indicator characters, the extra ignored")
                % {"tag": tag, "count": len(indicators)}
            )
        else:
            warnings.append(_("field %(tag)s: missing indicator, taken as blank") % {"tag": tag})
        indicators = (indicators + "  ")[:2]
    subfields = [Subfield(part[0], part[1:]) for part in parts[1:] if part]
    if not _ODD_CODE.search(text):
        return Field(
            tag=tag, indicators=Indicators(indicators[0], indicators[1]), subfields=subfields
        )
    for index, sub in enumerate(subfields):
        if not (sub.code.isascii() and sub.code.isprintable()):
            subfields[index] = Subfield(_subfield_code(sub.code), sub.value)
            warnings.append(
                _(
                    "field %(tag)s: subfield code “%(code)s” is not a letter or digit; read as "
                    "“%(as)s”"
                )
                % {"tag": tag, "code": sub.code, "as": subfields[index].code}
            )
    return Field(tag=tag, indicators=Indicators(indicators[0], indicators[1]), subfields=subfields)


def _subfield_code(code: str) -> str:
    """'á' -> 'a' (as pymarc does); anything without an ASCII letter or digit -> '?'."""
    folded = unicodedata.normalize("NFKD", code).encode("ascii", "ignore").decode("ascii")
    return folded[:1] if folded[:1].isalnum() else "?"
