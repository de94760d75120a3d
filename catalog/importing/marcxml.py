"""MARCXML, streamed: one record in memory at a time, whatever the size of the file.

The text is fed to a pull parser inside a wrapper element of our own, so a `<collection>`, a
bare `<record>` and a fragment of sibling `<record>`s without any root (which real exports
contain) all read the same way; namespaces and prefixes (`marc:`, `ns0:`) do not matter.
Raw control characters (which XML forbids, and which a damaged export leaves behind, such
as a 0x1F subfield delimiter inside a control field) are marked on the way in, so that only
the record holding one is reported instead of the parser giving up on the rest of the file.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

from django.utils.translation import gettext as _
from pymarc import Field, Indicators, Leader, Subfield
from pymarc import Record as MarcRecord

from catalog.importing.iso2709 import RecordError

BLOCK = 1 << 20
WRAPPER = "pustaka-wrapper"
_MARKER_BASE = 0xE000  # control character c travels as U+E000 + c
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CONTROL_REFERENCE = re.compile(r"&#(?:[xX]0*([0-9a-fA-F]{1,2})|0*([0-9]{1,2}));")
_MARKED = re.compile("[\ue000-\ue01f]")
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_ENCODING = re.compile(r"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_DOCTYPE = re.compile(r"^\s*<!DOCTYPE[^\[>]*>")
_TAG = re.compile(r"^[0-9A-Za-z]{3}$")


class XmlFileError(Exception):
    """The file is not XML we can start reading at all."""


@dataclass
class XmlRecord:
    position: int
    record: MarcRecord | None = None
    error: RecordError | None = None
    warnings: list[str] | None = None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _mark_control(match: re.Match) -> str:
    return chr(_MARKER_BASE + ord(match.group(0)))


def _mark_reference(match: re.Match) -> str:
    value = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    if value < 0x20 and value not in (0x09, 0x0A, 0x0D):
        return chr(_MARKER_BASE + value)
    return match.group(0)


def _clean_text(text: str) -> str:
    if "&#" in text:
        text = _CONTROL_REFERENCE.sub(_mark_reference, text)
    return _CONTROL.sub(_mark_control, text)


def _text_blocks(stream: BinaryIO) -> Iterator[str]:
    """The file as text blocks, declaration removed (the wrapper must come first), control
    characters marked. Raises XmlFileError when the bytes are not in the declared encoding."""
    head = stream.read(BLOCK)
    encoding = "utf-8"
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        start = head[:300].decode("ascii", "replace")
        declaration = _DECLARATION.match(start)
        found = _ENCODING.search(declaration.group(0)) if declaration else None
        if found:
            encoding = found.group(1).lower()
    try:
        decoder = codecs.getincrementaldecoder(encoding)("strict")
    except LookupError as error:
        raise XmlFileError(
            _("unknown character encoding “%(encoding)s”") % {"encoding": encoding}
        ) from error
    offset = 0
    carry = ""
    block = head
    first = True
    while True:
        try:
            text = decoder.decode(block, final=not block)
        except UnicodeDecodeError as error:
            raise XmlFileError(
                _("the file is not valid %(encoding)s (byte %(offset)s)")
                % {"encoding": encoding, "offset": offset + error.start}
            ) from error
        offset += len(block)
        text = carry + text
        carry = ""
        if first:
            first = False
            text = text.lstrip("\ufeff")
            declaration = _DECLARATION.match(text)
            if declaration:
                # Keep line and column numbers: the declaration becomes spaces.
                text = " " * declaration.end() + text[declaration.end() :]
            doctype = _DOCTYPE.match(text)
            if doctype:
                text = " " * doctype.end() + text[doctype.end() :]
        if block:
            amp = text.rfind("&", max(0, len(text) - 12))
            if amp >= 0 and ";" not in text[amp:]:
                text, carry = text[:amp], text[amp:]
        yield _clean_text(text)
        if not block:
            return
        block = stream.read(BLOCK)


def records(stream: BinaryIO, *, after: int = 0) -> Iterator[XmlRecord]:
    """The `<record>` elements of a MARCXML stream, converted, in order (1-based positions).
    A record that breaks the rules comes with its RecordError; when the XML itself breaks,
    the last item carries the parser's error (line, column) and reading stops there."""
    parser = XMLPullParser(events=("start", "end"))
    position = 0
    stack: list[Element] = []
    top_level = 0

    def drain() -> Iterator[XmlRecord]:
        nonlocal position, top_level
        for event, element in parser.read_events():
            if event == "start":
                stack.append(element)
                if len(stack) == 2:
                    top_level += 1
                continue
            stack.pop()
            if _local(element.tag) != "record":
                continue
            position += 1
            if position > after:
                yield _convert(element, position, fragment=top_level > 1 and len(stack) == 1)
            element.clear()
            if stack:
                stack[-1].remove(element)

    try:
        parser.feed(f"<{WRAPPER}>")
        for text in _text_blocks(stream):
            parser.feed(text)
            yield from drain()
        parser.feed(f"</{WRAPPER}>")
        parser.close()
        yield from drain()
    except ParseError:
        try:
            yield from drain()  # the records complete before the break
        except ParseError as earlier:  # queued by the parser where it first broke
            error = earlier
        line, column = getattr(error, "position", (0, 0))
        message = str(error).split(":")[0]
        yield XmlRecord(
            position + 1,
            error=RecordError(
                _(
                    "the file is not well-formed XML at line %(line)s, column %(column)s "
                    "(%(message)s); nothing after this point could be read"
                )
                % {"line": line, "column": column, "message": message},
                "XML",
            ),
        )
    except XmlFileError as error:
        yield XmlRecord(position + 1, error=RecordError(str(error), "XML"))


def _identifier(element: Element) -> str:
    for child in element:
        name = _local(child.tag)
        if name == "controlfield" and child.get("tag") == "001":
            return _MARKED.sub("", (child.text or "")).strip()[:60]
    for child in element:
        if _local(child.tag) == "datafield" and child.get("tag") == "245":
            for sub in child:
                if sub.get("code") == "a":
                    return (sub.text or "").strip()[:80]
    return ""


def _check(value: str, tag: str, identifier: str) -> str:
    found = _MARKED.search(value)
    if found:
        code = ord(found.group(0)) - _MARKER_BASE
        raise RecordError(
            _(
                "field %(tag)s contains the control character %(character)s, which XML cannot "
                "hold: the record is damaged"
            )
            % {
                "tag": tag,
                "character": f"U+{code:04X}"
                + (" (a raw subfield delimiter)" if code == 0x1F else ""),
            },
            tag,
            identifier,
        )
    return value


def _convert(element: Element, position: int, *, fragment: bool) -> XmlRecord:
    identifier = _identifier(element)
    warnings: list[str] = []
    if fragment and position == 2:
        warnings.append(_("the file has no root element; its records were read one by one"))
    try:
        leader = None
        fields: list[Field] = []
        for child in element:
            name = _local(child.tag)
            if name == "leader":
                leader = _check(child.text or "", "leader", identifier)
            elif name == "controlfield":
                tag = child.get("tag", "")
                if not _TAG.match(tag):
                    raise RecordError(
                        _("field tag “%(tag)s” is not three letters or digits") % {"tag": tag},
                        tag,
                        identifier,
                    )
                fields.append(Field(tag=tag, data=_check(child.text or "", tag, identifier)))
            elif name == "datafield":
                fields.append(_datafield(child, identifier, warnings))
        if leader is None:
            raise RecordError(_("the record has no leader"), "leader", identifier)
        if len(leader) != 24:
            raise RecordError(
                _("the leader has %(count)s characters; a MARC leader has 24")
                % {"count": len(leader)},
                "leader",
                identifier,
            )
        if not fields:
            raise RecordError(_("the record has no fields"), "", identifier)
    except RecordError as error:
        return XmlRecord(position, error=error)
    record = MarcRecord()
    record.leader = Leader(leader)
    record.fields = fields
    return XmlRecord(position, record=record, warnings=warnings)


def _datafield(element: Element, identifier: str, warnings: list[str]) -> Field:
    tag = element.get("tag", "")
    if not _TAG.match(tag):
        raise RecordError(
            _("field tag “%(tag)s” is not three letters or digits") % {"tag": tag}, tag, identifier
        )
    indicators = []
    for name in ("ind1", "ind2"):
        value = element.get(name) or " "
        if len(value) != 1:
            warnings.append(
                _("field %(tag)s: indicator “%(value)s” is not one character")
                % {"tag": tag, "value": value}
            )
            value = value[:1]
        indicators.append(value)
    subfields = []
    for sub in element:
        if _local(sub.tag) != "subfield":
            continue
        code = sub.get("code", "")
        if len(code) != 1:
            warnings.append(
                _("field %(tag)s: subfield code “%(code)s” is not one character")
                % {"tag": tag, "code": code}
            )
            if not code:
                continue
            code = code[:1]
        subfields.append(Subfield(code, _check(sub.text or "", tag, identifier)))
    return Field(tag=tag, indicators=Indicators(*indicators), subfields=subfields)


_RECORD_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?record[\s>/]")


def count_records(path) -> int:
    """How many `<record>` elements a file holds (a quick scan, not a parse)."""
    total = 0
    tail = b""
    with open(path, "rb") as stream:
        while block := stream.read(BLOCK):
            data = tail + block
            total += len(_RECORD_START.findall(data))
            # A start tag cut by the block boundary is counted with the next block.
            cut = data.rfind(b"<", max(0, len(data) - 64))
            tail = data[cut:] if cut >= 0 and not _RECORD_START.match(data, cut) else b""
    return total
