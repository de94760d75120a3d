from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class EventError(DomainError):
    code = "event_error"


class EventNotOpenError(EventError):
    code = "event_not_open"
    message = _("This event is not open for registration.")


class EventCancelledError(EventError):
    code = "event_cancelled"
    message = _("This event has been cancelled.")


class RegistrationClosedError(EventError):
    code = "registration_closed"
    message = _("Registration for this event has closed.")


class GroupTooLargeError(EventError):
    code = "group_too_large"
    message = _("One registration may bring at most %(limit)s people.")


class GuestContactRequiredError(EventError):
    code = "guest_contact_required"
    message = _("Please give your name and a telephone number or an e-mail address.")


class AnswerRequiredError(EventError):
    code = "answer_required"
    message = _("Please answer: %(question)s")


class OfferExpiredError(EventError):
    code = "offer_expired"
    message = _("The time to confirm this seat has passed; it was offered to the next person.")


class NotOfferedError(EventError):
    code = "not_offered"
    message = _("There is no seat waiting for your confirmation on this registration.")


class NotCheckableError(EventError):
    code = "not_checkable"
    message = _("This registration cannot be checked in: it is “%(state)s”.")


class UnknownRegistrationError(EventError):
    code = "unknown_registration"
    message = _("No registration for this event has this code. Check it, or search by name.")


class WrongEventError(EventError):
    code = "wrong_event"
    message = _("This registration is for another event: %(event)s.")


class SeriesRuleError(EventError):
    code = "series_rule"
    message = _("The series must end after its first session and within two years.")


class NoSessionsError(EventError):
    code = "no_sessions"
    message = _("There are no upcoming sessions to register for in this series.")


class CertificatesTooEarlyError(EventError):
    code = "certificates_too_early"
    message = _(
        "Certificates can be issued once the event has started, and not for a cancelled event."
    )


class EntriesClosedError(EventError):
    code = "entries_closed"
    message = _("Entries for this competition have closed.")


class EntryNotAllowedError(EventError):
    code = "entry_not_allowed"
    message = _("Only people registered for the competition (not cancelled) may send an entry.")


class EntryFileTypeError(EventError):
    code = "entry_file_type"
    message = _("Send the entry as a PDF or Word document (.docx) or a JPEG or PNG image.")


class EntryFileTooLargeError(EventError):
    code = "entry_file_too_large"
    message = _("The file is too large: at most %(limit)s MB.")


class NotAJudgeError(EventError):
    code = "not_a_judge"
    message = _("Only the judges of this competition may score its entries.")


class PointsOutOfRangeError(EventError):
    code = "points_out_of_range"
    message = _("Give %(criterion)s between 0 and %(max)s points.")


class NotAQuizError(EventError):
    code = "not_a_quiz"
    message = _("Only an event of the kind “quiz” can have a question set.")


class QuizQuestionInvalidError(EventError):
    code = "quiz_question_invalid"
    message = _("This question cannot be saved: check its choices and right answers.")


class QuizTimesError(EventError):
    code = "quiz_times"
    message = _("The quiz must close after it opens.")


class QuizNotOpenError(EventError):
    code = "quiz_not_open"
    message = _("The quiz opens on %(day)s at %(time)s.")


class QuizClosedError(EventError):
    code = "quiz_closed"
    message = _("The quiz has closed.")


class QuizEmptyError(EventError):
    code = "quiz_empty"
    message = _("The quiz has no questions yet.")


class QuizNotAllowedError(EventError):
    code = "quiz_not_allowed"
    message = _(
        "Only people registered for this event (not cancelled or waiting) may take the quiz."
    )


class QuizMembersOnlyError(EventError):
    code = "quiz_members_only"
    message = _("This quiz is for library members: sign in with your membership to take it.")


class QuizAttemptsUsedError(EventError):
    code = "quiz_attempts_used"
    message = _("You have used every attempt this quiz allows.")


class QuizTimeUpError(EventError):
    code = "quiz_time_up"
    message = _(
        "Time ran out at %(time)s: answers sent after that do not count. "
        "The answers saved before it were scored."
    )


class QuizAnswerInvalidError(EventError):
    code = "quiz_answer_invalid"
    message = _(
        "An answer does not belong to this quiz's questions. Reload the page and try again."
    )


class QuizAttemptUnknownError(EventError):
    code = "quiz_attempt_unknown"
    message = _("This attempt is not yours or does not exist.")
