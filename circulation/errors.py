from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class CirculationError(DomainError):
    """A circulation rule said no. `overridable` errors may be passed by a permitted role with a
    reason, which is audited."""

    overridable = False


class MemberBlockedError(CirculationError):
    code = "member_blocked"
    message = _("%(member)s may not borrow now: %(reasons)s")
    overridable = True

    @classmethod
    def of(cls, member, blocks) -> MemberBlockedError:
        """The refusal for these blocks (`selectors.member_blocks`). A closed membership (closed
        at the member's request, or merged into another record) cannot be overridden: nobody
        borrows on a record that no longer stands for a member."""
        error = cls(member=member.full_name, reasons="; ".join(b.message for b in blocks))
        error.overridable = not any(b.code == "closed" for b in blocks)
        return error


class LoanLimitReachedError(CirculationError):
    code = "loan_limit_reached"
    message = _("%(member)s already has %(count)s items on loan; the limit is %(limit)s.")
    overridable = True


class ItemOnHoldForAnotherError(CirculationError):
    code = "item_on_hold_for_another"
    message = _("This item is set aside for another member's hold.")
    overridable = True


class ItemAlreadyOnLoanError(CirculationError):
    code = "item_already_on_loan"
    message = _("This item is already on loan to another member. Check it in first.")


class ItemNotLoanableError(CirculationError):
    code = "item_not_loanable"
    message = _("This item cannot be lent: it is “%(status)s”.")
    overridable = True


class RenewalLimitReachedError(CirculationError):
    code = "renewal_limit_reached"
    message = _("This loan has been renewed %(count)s times, the most allowed.")
    overridable = True


class RenewalBlockedByHoldError(CirculationError):
    code = "renewal_blocked_by_hold"
    message = _("Another member is waiting for this title, so it cannot be renewed.")
    overridable = True


class LoanNotOpenError(CirculationError):
    code = "loan_not_open"
    message = _("This loan is already closed.")


class HoldsNotAllowedError(CirculationError):
    code = "holds_not_allowed"
    message = _("Holds are not allowed on this title for this member.")


class HoldNotChangeableError(CirculationError):
    code = "hold_not_changeable"
    message = _("This hold can no longer be changed: it is “%(state)s”.")


class PickupBranchNotAllowedError(CirculationError):
    code = "pickup_branch_not_allowed"
    message = _("Holds on this title cannot be collected at %(branch)s.")


class AlreadyOnLoanToMemberError(CirculationError):
    code = "already_on_loan_to_member"
    message = _("%(member)s already has a copy of this title on loan.")


class NoCopiesError(CirculationError):
    code = "no_copies"
    message = _("The library has no copy of this title that could fill a hold.")


class OverrideNotPermittedError(CirculationError):
    code = "override_not_permitted"
    message = _("Your role may not override this warning.")


class OverrideReasonRequiredError(CirculationError):
    code = "override_reason_required"
    message = _("Give a reason for overriding the warning.")


class InvalidPaymentError(CirculationError):
    code = "invalid_payment"
    message = _("%(problem)s")
