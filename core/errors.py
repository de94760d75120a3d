"""The base of every domain error. Services raise these; adapters map `code` to their protocol."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule said no. `code` is stable (adapters and tests match on it); `message` is for
    people."""

    code: str = "domain_error"
    message = _("That cannot be done.")

    def __init__(self, message: str | None = None, **params: object) -> None:
        if message is not None:
            self.message = message
        self.params = params
        super().__init__(str(self.message))

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text


class PermissionDeniedError(DomainError):
    code = "permission_denied"
    message = _("Your role does not allow this.")
