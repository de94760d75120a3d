from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class StocktakeError(DomainError):
    code = "stocktake_error"


class SessionClosedError(StocktakeError):
    code = "stocktake_closed"
    message = _("This stocktake is closed. Reopen it to scan more.")


class InvalidShelfRangeError(StocktakeError):
    code = "invalid_shelf_range"
    message = _("The shelf range starts at “%(start)s”, which comes after its end “%(end)s”.")


class EmptyCodeError(StocktakeError):
    code = "empty_code"
    message = _("Scan or type a barcode or RFID tag.")


class InvalidCodeError(StocktakeError):
    code = "invalid_code"
    message = _("“%(code)s” is not a barcode or RFID tag: %(reason)s")


class NotATextFileError(StocktakeError):
    code = "not_a_text_file"
    message = _(
        "“%(name)s” is not a text file. Upload the plain text file (one code per line) or the "
        "CSV file that the barcode or RFID reader exports."
    )


class FileTooLargeError(StocktakeError):
    code = "file_too_large"
    message = _("“%(name)s” is %(size)s MB; files of up to %(limit)s MB can be read at once.")


class TooManyReadsError(StocktakeError):
    code = "too_many_reads"
    message = _("“%(name)s” has more than %(limit)s lines; split it into smaller files.")


class NoCodesError(StocktakeError):
    code = "no_codes"
    message = _("“%(name)s” has no barcode or RFID tag in it.")
