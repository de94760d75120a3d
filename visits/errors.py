from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class VisitError(DomainError):
    code = "visit_error"


class UnknownBranchError(VisitError):
    code = "unknown_branch"
    message = _(
        "There is no open branch with the code “%(code)s”. Ask the staff to set up this kiosk."
    )


class UnknownCardError(VisitError):
    code = "unknown_card"
    message = _("This card number is not known. Check the number, or sign in as a guest.")


class EmptyCardError(VisitError):
    code = "empty_card"
    message = _("Scan your member card or type its number.")


class GuestNameRequiredError(VisitError):
    code = "guest_name_required"
    message = _("Please write your name.")


class InvalidPurposeError(VisitError):
    code = "invalid_purpose"
    message = _("Please choose the purpose of your visit.")


class UnknownItemError(VisitError):
    code = "unknown_item"
    message = _("No item has the barcode or RFID tag “%(code)s”.")


class EmptyItemCodeError(VisitError):
    code = "empty_item_code"
    message = _("Scan or type the item's barcode.")
