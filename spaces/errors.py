"""Booking refusals. Each has a stable `code` (tests, the API) and a sentence naming the rule."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class SpacesError(DomainError):
    code = "spaces_error"


class SlotTakenError(SpacesError):
    code = "already_booked"
    message = _("This time is already booked. Please choose another time.")

    def __init__(self, message=None, *, conflicts=(), **params) -> None:
        self.conflicts = list(conflicts)
        super().__init__(message, **params)


class InvalidTimeError(SpacesError):
    code = "invalid_time"
    message = _("The end must be after the start.")


class InPastError(SpacesError):
    code = "in_past"
    message = _("This time has already passed.")


class ClosedDayError(SpacesError):
    code = "closed_day"
    message = _("%(branch)s is closed on %(date)s.")


class OutsideOpeningHoursError(SpacesError):
    code = "outside_opening_hours"
    message = _("%(branch)s is open %(hours)s on that day; a booking must fit within them.")


class TooShortError(SpacesError):
    code = "too_short"
    message = _("A booking here lasts at least %(minutes)s minutes.")


class TooLongError(SpacesError):
    code = "too_long"
    message = _("A booking here lasts at most %(minutes)s minutes.")


class SlotAlignmentError(SpacesError):
    code = "slot_alignment"
    message = _("Bookings here start and end on the %(minutes)s-minute slots of the grid.")


class TooFarAheadError(SpacesError):
    code = "too_far_ahead"
    message = _("You can book at most %(days)s days ahead.")


class TooManyPeopleError(SpacesError):
    code = "over_capacity"
    message = _("%(space)s holds at most %(capacity)s people.")


class ActiveLimitError(SpacesError):
    code = "active_limit"
    message = _("You already have %(count)s upcoming bookings; the limit is %(limit)s.")


class WeeklyHoursLimitError(SpacesError):
    code = "weekly_hours_limit"
    message = _(
        "This would bring your bookings in that week to %(hours)s hours; the limit is "
        "%(limit)s hours a week."
    )


class NoShowLimitError(SpacesError):
    code = "no_show_limit"
    message = _(
        "You did not use %(count)s bookings in the last %(days)s days, so you cannot book for now."
    )


class NotAllowedToBookError(SpacesError):
    code = "not_allowed"
    message = _("%(space)s can only be booked by %(who)s.")


class MemberCannotBookError(SpacesError):
    code = "member_inactive"
    message = _("Your membership is not active, so you cannot book.")


class CancelDeadlinePassedError(SpacesError):
    code = "cancel_deadline"
    message = _(
        "A booking can be cancelled or changed up to %(hours)s hours before it starts. "
        "Please call the library."
    )


class CheckInWindowError(SpacesError):
    code = "check_in_window"
    message = _("Check-in is open from %(opens)s to %(closes)s.")


class NotBookableError(SpacesError):
    code = "not_bookable"
    message = _("%(space)s cannot be booked.")


class WrongBranchEquipmentError(SpacesError):
    code = "equipment_elsewhere"
    message = _("%(equipment)s belongs to another branch.")


class EquipmentNeedsRoomError(SpacesError):
    code = "equipment_needs_room"
    message = _("%(equipment)s can only be booked together with a room.")


class ReasonRequiredError(SpacesError):
    code = "reason_required"
    message = _("Please give a reason.")


# ---------------------------------------------------------------------------------------------
# Setting up spaces, equipment and rules (staff)


class InvalidRuleError(SpacesError):
    """A booking rule that cannot work; `field` names the form field to fix."""

    code = "invalid_rule"
    message = _("This rule cannot work as it stands.")

    def __init__(self, message=None, *, field: str | None = None, **params) -> None:
        self.field = field
        super().__init__(message, **params)


class StillBookedError(SpacesError):
    code = "still_booked"
    message = _(
        "%(name)s has %(count)s upcoming bookings or blocks; cancel or move them on the day "
        "sheet before taking it out of use."
    )


class InvalidPhotoError(SpacesError):
    code = "invalid_photo"
    message = _("The file is not a photo (JPEG, PNG or WebP) or it is damaged.")
