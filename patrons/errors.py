"""Membership rules that said no. Each has a stable `code` (adapters and tests match on it) and a
translatable message naming what is wrong."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class MembershipError(DomainError):
    code = "membership_error"


# --- NIK -------------------------------------------------------------------------------------


class InvalidNikError(MembershipError):
    """A NIK that cannot be one. `reason` says which part is wrong."""

    code = "nik_invalid"
    message = _("This is not a valid NIK.")

    def __init__(self, reason: str, message=None, **params: object) -> None:
        self.reason = reason
        super().__init__(message, **params)


class DuplicateNikError(MembershipError):
    code = "nik_duplicate"
    message = _("Another current member is already registered with this NIK.")


class NikNotForInstitutionsError(MembershipError):
    code = "nik_not_for_institutions"
    message = _("An institution has no NIK: leave the NIK empty.")


# --- Registration ----------------------------------------------------------------------------


class GuardianRequiredError(MembershipError):
    code = "guardian_required"
    message = _(
        "Members of the category “%(category)s” need a parent or guardian: give the guardian's "
        "name, relationship and telephone, and record the guardian's consent."
    )


class InvalidPhotoError(MembershipError):
    code = "photo_invalid"
    message = _("%(problem)s")


class SignupTooOftenError(MembershipError):
    code = "signup_too_often"
    message = _(
        "Too many registrations have come from your network in the last hour. Please try again "
        "later, or register at the library's desk."
    )


class ConfirmationLinkInvalidError(MembershipError):
    code = "confirmation_invalid"
    message = _("This confirmation link is not valid. Check that you opened the whole link.")


class ConfirmationLinkExpiredError(MembershipError):
    code = "confirmation_expired"
    message = _(
        "This confirmation link has expired (links are valid for %(days)s days). Ask for a new "
        "link below, or confirm your membership at the library's desk."
    )


class NotPendingError(MembershipError):
    code = "not_pending"
    message = _("This membership is not waiting for confirmation (it is “%(status)s”).")


# --- Lifecycle -------------------------------------------------------------------------------


class MembershipEndedError(MembershipError):
    code = "membership_ended"
    message = _("The membership of %(member)s is “%(status)s”: it can no longer be changed.")


class BlockReasonRequiredError(MembershipError):
    code = "block_reason_required"
    message = _("Give a reason for the block: the member and other staff will see it.")


class NotBlockedError(MembershipError):
    code = "not_blocked"
    message = _("%(member)s has no manual block to lift.")


class MemberHasLoansError(MembershipError):
    code = "member_has_loans"
    message = _(
        "%(member)s still has items on loan (%(loans)s) or fines to pay (%(balance)s): settle "
        "them before closing the membership."
    )


# --- Merging ---------------------------------------------------------------------------------


class MergeIntoSelfError(MembershipError):
    code = "merge_into_self"
    message = _("A member cannot be merged into themselves: choose two different members.")


class MergeTargetEndedError(MembershipError):
    code = "merge_target_ended"
    message = _(
        "%(member)s is “%(status)s”; merge into a current (active or pending) member instead."
    )


class AlreadyMergedError(MembershipError):
    code = "already_merged"
    message = _("%(member)s has already been merged into another member.")


class MergeConflictError(MembershipError):
    code = "merge_conflict"
    message = _(
        "The two records could not be merged because their %(what)s conflict. Nothing was changed."
    )


class MembershipPendingError(MembershipError):
    code = "membership_pending"
    message = _("The registration of %(member)s has not been confirmed yet: confirm it first.")


class EmailInUseError(MembershipError):
    code = "email_in_use"
    message = _(
        "This e-mail address already belongs to an account. Sign in with it (or reset its "
        "password), or use another address."
    )


# --- Online access ---------------------------------------------------------------------------


class AccessLinkInvalidError(MembershipError):
    code = "access_link_invalid"
    message = _(
        "This link for online access is not valid. Check that you opened the whole link, or "
        "ask for a new one."
    )


class AccessLinkExpiredError(MembershipError):
    code = "access_link_expired"
    message = _(
        "This link for online access has expired (links are valid for %(days)s days). Ask for "
        "a new one."
    )


class HasOnlineAccessError(MembershipError):
    code = "has_online_access"
    message = _(
        "This member already has online access. Sign in with the member number, or reset the "
        "password from the sign-in page."
    )


class NoEmailOnRecordError(MembershipError):
    code = "no_email_on_record"
    message = _(
        "This member has no e-mail address on record. Add one to the member's record first: "
        "the link can only go there."
    )
