"""ISBN and ISSN: validated with python-stdnum (check digits), normalised to ISBN-13 and
to the 8-character ISSN."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _
from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from core.errors import DomainError


class InvalidIsbnError(DomainError):
    code = "invalid_isbn"
    message = _("“%(value)s” is not a valid ISBN: %(problem)s")


class InvalidIssnError(DomainError):
    code = "invalid_issn"
    message = _("“%(value)s” is not a valid ISSN: %(problem)s")


_PROBLEMS = {
    InvalidChecksum: _("the check digit does not match."),
    InvalidLength: _("an ISBN has 10 or 13 digits."),
    InvalidFormat: _("it has characters that do not belong in an ISBN."),
    InvalidComponent: _("it does not start with 978 or 979."),
}

# "0-306-40615-2 (pbk.)" -> the number and what follows.
_LEADING_NUMBER = re.compile(r"^\s*([0-9Xx][0-9Xx\- ]{8,20}[0-9Xx])")


def normalise_isbn(value: str) -> str:
    """The ISBN-13 of `value` (ISBN-10 converted); raises InvalidIsbnError naming the problem.
    Qualifiers after the number ('(pbk.)', ': Rp 45.000') are ignored."""
    match = _LEADING_NUMBER.match(value or "")
    candidate = match.group(1) if match else (value or "").strip()
    try:
        number = stdnum_isbn.validate(candidate)
    except (InvalidChecksum, InvalidLength, InvalidFormat, InvalidComponent) as error:
        problem = next(
            (text for kind, text in _PROBLEMS.items() if isinstance(error, kind)), str(error)
        )
        raise InvalidIsbnError(value=value.strip()[:40], problem=problem) from error
    return stdnum_isbn.compact(stdnum_isbn.to_isbn13(number))


def isbn_or_none(value: str) -> str | None:
    try:
        return normalise_isbn(value)
    except InvalidIsbnError:
        return None


def format_isbn(isbn13: str) -> str:
    """'9786020332956' -> '978-602-03-3295-6' (hyphenated by the ISBN ranges)."""
    try:
        return stdnum_isbn.format(isbn13)
    except Exception:  # noqa: BLE001 - unknown ranges: show the digits
        return isbn13


def normalise_issn(value: str) -> str:
    candidate = (value or "").strip()[:20]
    try:
        return stdnum_issn.format(stdnum_issn.validate(candidate))
    except (InvalidChecksum, InvalidLength, InvalidFormat, InvalidComponent) as error:
        raise InvalidIssnError(value=candidate, problem=str(error)) from error
