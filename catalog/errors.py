from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class MissingTitleError(DomainError):
    code = "missing_title"
    message = _("The record has no title (MARC field 245).")


class DuplicateBarcodeError(DomainError):
    code = "duplicate_barcode"
    message = _("The barcode %(barcode)s is already used by another item.")


class DuplicateRfidError(DomainError):
    code = "duplicate_rfid"
    message = _("The RFID tag %(tag)s is already used by another item.")


class UnknownBranchError(DomainError):
    code = "unknown_branch"
    message = _("There is no branch with the code “%(code)s”.")


class NoBranchError(DomainError):
    code = "no_branch"
    message = _("The item has no branch and the import has no default branch.")


class InvalidValueError(DomainError):
    code = "invalid_value"
    message = _("%(field)s: %(problem)s")


class InvalidCoverError(DomainError):
    code = "invalid_cover"
    message = _("The cover must be a JPEG, PNG or WebP image; this file is not one.")


class CoverTooLargeError(DomainError):
    code = "cover_too_large"
    message = _("The cover image is too large: at most %(limit)s MB and %(pixels)s megapixels.")


class LabelSheetError(DomainError):
    """A label sheet that cannot be printed; `field` names the setting at fault."""

    code = "label_sheet"
    message = _("%(label)s: %(problem)s")

    def __init__(self, message=None, *, field: str = "", **params: object) -> None:
        self.field = field
        super().__init__(message, **params)


class NoItemsToLabelError(DomainError):
    code = "no_items_to_label"
    message = _("There are no items to print labels for.")


class FileUnreadableError(DomainError):
    code = "file_unreadable"
    message = _("The file cannot be read: %(reason)s")


class ImportStateError(DomainError):
    code = "import_state"
    message = _("An import whose status is “%(status)s” cannot be changed that way.")


class MappingRequiredError(DomainError):
    code = "mapping_required"
    message = _("Choose which column holds the title before starting the import.")
