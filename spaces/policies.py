"""Booking rules: which values apply to a space for a member category, and the pure checks of a
requested time against them and the branch calendar.

`BookingRule` rows are cells of a matrix (space or kind of space) x member category, each value
optional. For each value the most specific rule that sets it wins: a rule for the space counts
more than one for its kind, which counts more than one for every space; within that, a rule for
the member's category counts more than one for every category. Otherwise Pustaka's default.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

from spaces import errors

DEFAULTS: dict[str, object] = {
    "who_may_book": "members",
    "slot_minutes": 30,
    "min_minutes": 30,
    "max_minutes": 120,
    "days_ahead": 14,
    "max_active": 3,
    "max_hours_per_week": 6,
    "buffer_minutes": 0,
    "needs_approval": False,
    "cancel_hours_before": 2,
    "check_in_minutes": 15,
    "no_show_limit": 3,
    "no_show_days": 60,
}
FIELDS = tuple(DEFAULTS)


@dataclass(frozen=True)
class Rules:
    who_may_book: str = "members"
    slot_minutes: int = 30
    min_minutes: int = 30
    max_minutes: int = 120
    days_ahead: int = 14
    max_active: int = 3
    max_hours_per_week: int = 6
    buffer_minutes: int = 0
    needs_approval: bool = False
    cancel_hours_before: int = 2
    check_in_minutes: int = 15
    no_show_limit: int = 3
    no_show_days: int = 60
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict[str, object]:
        values = asdict(self)
        values.pop("sources")
        return values

    @property
    def buffer(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.buffer_minutes)


def _specificity(rule, space) -> tuple[int, int] | None:
    if rule.space_id is not None:
        if rule.space_id != space.pk:
            return None
        place = 2
    elif rule.space_kind:
        if rule.space_kind != getattr(space, "kind", None):
            return None
        place = 1
    else:
        place = 0
    return (place, 1 if rule.member_category_id is not None else 0)


def resolve_rules(space, category, *, rules=None) -> Rules:
    """The rules in force for a member of `category` (or None: staff, a partner) at `space`."""
    from django.db.models import Q

    from spaces.models import BookingRule

    if rules is None and not hasattr(space, "capacity"):  # equipment: the general rules
        rules = BookingRule.objects.filter(space__isnull=True, space_kind="").filter(
            Q(member_category__isnull=True) | Q(member_category=category)
        )
    if rules is None:
        rules = BookingRule.objects.filter(
            Q(space=space) | Q(space__isnull=True, space_kind__in=["", space.kind])
        ).filter(Q(member_category__isnull=True) | Q(member_category=category))
    ranked = []
    for rule in rules:
        if rule.member_category_id is not None and (
            category is None or rule.member_category_id != category.pk
        ):
            continue
        rank = _specificity(rule, space)
        if rank is not None:
            ranked.append((rank, rule.pk, rule))
    ranked.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    for name in FIELDS:
        for _rank, _pk, rule in ranked:
            value = getattr(rule, name)
            if value is not None and value != "":
                values[name], sources[name] = value, rule.name
                break
        else:
            values[name], sources[name] = DEFAULTS[name], ""
    return Rules(**values, sources=sources)


@dataclass(frozen=True)
class Request:
    """A wanted time, in the library's zone (aware datetimes)."""

    start: dt.datetime
    end: dt.datetime

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def _hours_text(periods) -> str:
    return ", ".join(f"{p.opens_at:%H.%M}–{p.closes_at:%H.%M}" for p in periods)


def check_calendar(
    request: Request, calendar, *, branch_name: str, slot_minutes: int | None = None
) -> None:
    """The booking lies on an open day, inside one opening period, and (with `slot_minutes`)
    starts on a slot of the grid, which begins when the period opens."""
    local_start, local_end = request.start, request.end
    day = calendar.day(local_start.date())
    if not day.is_open:
        raise errors.ClosedDayError(
            branch=branch_name, date=local_start.date().strftime("%d-%m-%Y")
        )
    if local_end.date() != local_start.date() and local_end.time() != dt.time(0):
        raise errors.OutsideOpeningHoursError(branch=branch_name, hours=_hours_text(day.periods))
    end_time = local_end.time() if local_end.date() == local_start.date() else dt.time(23, 59)
    period = next(
        (p for p in day.periods if p.opens_at <= local_start.time() and end_time <= p.closes_at),
        None,
    )
    if period is None:
        raise errors.OutsideOpeningHoursError(branch=branch_name, hours=_hours_text(day.periods))
    if slot_minutes:
        offset = (local_start.hour * 60 + local_start.minute) - (
            period.opens_at.hour * 60 + period.opens_at.minute
        )
        if offset % slot_minutes or local_start.second or local_start.microsecond:
            raise errors.SlotAlignmentError(minutes=slot_minutes)


def check_shape(request: Request, rules: Rules, *, now: dt.datetime) -> None:
    """Time order, not in the past, duration and alignment, how far ahead."""
    if request.end <= request.start:
        raise errors.InvalidTimeError()
    if request.start < now:
        raise errors.InPastError()
    minutes = request.minutes
    if minutes < rules.min_minutes:
        raise errors.TooShortError(minutes=rules.min_minutes)
    if minutes > rules.max_minutes:
        raise errors.TooLongError(minutes=rules.max_minutes)
    slot = rules.slot_minutes or 1
    if minutes % slot:  # where a slot starts is the calendar's part (check_calendar)
        raise errors.SlotAlignmentError(minutes=slot)
    last_day = now.date() + dt.timedelta(days=rules.days_ahead)
    if request.start.date() > last_day:
        raise errors.TooFarAheadError(days=rules.days_ahead)


def check_member_limits(
    request: Request,
    rules: Rules,
    *,
    active_count: int,
    week_minutes: int,
    no_shows: int,
) -> None:
    """The member's own limits: upcoming bookings, hours in that week, unused bookings."""
    if rules.no_show_limit and no_shows >= rules.no_show_limit:
        raise errors.NoShowLimitError(count=no_shows, days=rules.no_show_days)
    if active_count >= rules.max_active:
        raise errors.ActiveLimitError(count=active_count, limit=rules.max_active)
    total = week_minutes + request.minutes
    if total > rules.max_hours_per_week * 60:
        hours = f"{total / 60:g}"
        raise errors.WeeklyHoursLimitError(hours=hours, limit=rules.max_hours_per_week)


def describe(rules: Rules, *, capacity: int | None = None) -> list[str]:
    """The rules as sentences, shown to the booker before they book."""
    from spaces.models import WhoMayBook

    lines = [
        _("Who may book: %(who)s.") % {"who": WhoMayBook(rules.who_may_book).label},
        _("Bookings start on %(slot)s-minute slots and last %(min)s to %(max)s minutes.")
        % {"slot": rules.slot_minutes, "min": rules.min_minutes, "max": rules.max_minutes},
        _("You can book up to %(days)s days ahead.") % {"days": rules.days_ahead},
        _("At most %(active)s upcoming bookings and %(hours)s hours a week per member.")
        % {"active": rules.max_active, "hours": rules.max_hours_per_week},
    ]
    if capacity:
        lines.append(_("Room for at most %(capacity)s people.") % {"capacity": capacity})
    if rules.buffer_minutes:
        lines.append(
            _("The room is kept free %(minutes)s minutes after each booking.")
            % {"minutes": rules.buffer_minutes}
        )
    lines.append(
        _("Staff approve each booking before it is confirmed.")
        if rules.needs_approval
        else _("Bookings are confirmed at once.")
    )
    lines.append(
        _("You can cancel or change a booking up to %(hours)s hours before it starts.")
        % {"hours": rules.cancel_hours_before}
    )
    lines.append(
        _(
            "Check in within %(minutes)s minutes of the start (scan the code at the door, or "
            "ask the desk); otherwise the booking is released for others."
        )
        % {"minutes": rules.check_in_minutes}
    )
    if rules.no_show_limit:
        lines.append(
            _("After %(count)s unused bookings within %(days)s days you cannot book for a while.")
            % {"count": rules.no_show_limit, "days": rules.no_show_days}
        )
    return lines


def check_rules(rules: Rules) -> list[tuple[str, str]]:
    """What makes a set of rules unusable, as (field, sentence) pairs: a booking length no slot
    grid can give, a longest booking under the shortest, a weekly limit below one booking. Run
    on the values in force where staff change a rule, so the clash is named before it bites."""
    problems: list[tuple[str, str]] = []
    slot = rules.slot_minutes or 1
    if rules.min_minutes % slot:
        problems.append(
            (
                "min_minutes",
                _(
                    "The shortest booking (%(minutes)s minutes) must be a whole number of "
                    "%(slot)s-minute slots."
                )
                % {"minutes": rules.min_minutes, "slot": slot},
            )
        )
    if rules.max_minutes % slot:
        problems.append(
            (
                "max_minutes",
                _(
                    "The longest booking (%(minutes)s minutes) must be a whole number of "
                    "%(slot)s-minute slots."
                )
                % {"minutes": rules.max_minutes, "slot": slot},
            )
        )
    if rules.max_minutes < rules.min_minutes:
        problems.append(
            (
                "max_minutes",
                _(
                    "The longest booking (%(longest)s minutes) is shorter than the shortest "
                    "(%(shortest)s minutes)."
                )
                % {"longest": rules.max_minutes, "shortest": rules.min_minutes},
            )
        )
    if rules.max_hours_per_week * 60 < rules.min_minutes:
        problems.append(
            (
                "max_hours_per_week",
                _(
                    "%(hours)s hours a week is less than the shortest booking (%(minutes)s "
                    "minutes): nobody could book."
                )
                % {"hours": rules.max_hours_per_week, "minutes": rules.min_minutes},
            )
        )
    return problems
