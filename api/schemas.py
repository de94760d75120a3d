from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Schema, Status
from pydantic import WithJsonSchema

# Opening hours are wall-clock times at the branch, with no UTC offset ("08:00:00"). JSON
# Schema's `format: time` is RFC 3339's full-time, which requires an offset ("08:00:00+08:00"),
# so a client validating against it would reject every opening time: say what they are.
LocalTime = Annotated[
    dt.time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$",
            "description": "Local time at the branch (the library's time zone), HH:MM:SS",
            "examples": ["08:00:00"],
        }
    ),
]


class ErrorOut(Schema):
    """Every error answer: a stable code for programs, a message for people (in the
    user's language), and for invalid input the list of what was wrong and where."""

    code: str
    message: str
    errors: list[dict] | None = None


def refused(error) -> Status:
    """409 with a refused rule's stable code and its message (in the request's language)."""
    return Status(409, ErrorOut(code=error.code, message=str(error)))


class TokenIn(Schema):
    username: str
    password: str
    code: str | None = None
    name: str = "app"


class TokenOut(Schema):
    token: str
    expires_at: dt.datetime


class MeOut(Schema):
    username: str
    full_name: str
    email: str
    roles: list[str]
    preferred_language: str


class PeriodOut(Schema):
    opens_at: LocalTime
    closes_at: LocalTime


class DayOut(Schema):
    date: dt.date
    is_open: bool
    periods: list[PeriodOut]
    closure_reason: str


class BranchOut(Schema):
    id: int
    code: str
    name: str
    address: str
    phone: str
    email: str
    is_main: bool
    is_open_now: bool
    today: DayOut
    next_open_day: dt.date | None


class LibraryOut(Schema):
    name: str
    short_name: str
    address: str
    city: str
    province: str
    postal_code: str
    phone: str
    whatsapp: str
    email: str
    website: str
    time_zone: str
