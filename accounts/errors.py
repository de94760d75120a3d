from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class InvalidCredentialsError(DomainError):
    code = "invalid_credentials"
    message = _("That user name or password is not right. Please try again.")


class SignInLockedError(DomainError):
    code = "sign_in_locked"
    message = _(
        "Too many failed attempts. Sign-in is locked until %(time)s. "
        "Ask a system administrator if you need to get in sooner."
    )


class SignInTooSoonError(DomainError):
    code = "sign_in_too_soon"
    message = _("Too many failed attempts. Please wait %(seconds)s seconds and try again.")


class InvalidTwoFactorCodeError(DomainError):
    code = "invalid_two_factor_code"
    message = _("That code is not right. Check the time on your phone and use the newest code.")


class TwoFactorRequiredError(DomainError):
    code = "two_factor_required"
    message = _("Your role requires two-factor sign-in; it cannot be turned off.")
