"""SIP2 accounts: create, change, set the password, authenticate a kiosk's login."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils.translation import gettext_lazy

from core import audit
from core.errors import DomainError
from core.permissions import require
from sip2.models import KIOSK_OPERATIONS, SipAccount

audit.register_actions(
    {
        "sip2.account_created": gettext_lazy("Created a SIP2 account"),
        "sip2.account_changed": gettext_lazy("Changed a SIP2 account"),
    }
)

EDITABLE = (
    "description",
    "branch",
    "institution_id",
    "operations",
    "encoding",
    "error_detection",
    "optional_fields",
    "language",
    "require_patron_pin",
    "checked_in_ok",
    "timeout_seconds",
    "acting_user",
    "is_active",
)


class SipAccountError(DomainError):
    code = "sip_account_invalid"
    message = gettext_lazy("%(problem)s")


def _check(values: dict[str, Any]) -> None:
    timeout = values.get("timeout_seconds")
    if timeout is not None and not 0 <= int(timeout) <= 999:
        raise SipAccountError(problem=gettext_lazy("The idle timeout is 0 to 999 seconds."))


@transaction.atomic
def create_account(login: str, password: str, *, by, **values: Any) -> SipAccount:
    """`by=None` only from the management command (run by the system administrator)."""
    if by is not None:
        require(by, "sip2.add_sipaccount")
    login = login.strip()
    if not login or not password:
        raise SipAccountError(problem=gettext_lazy("A login name and a password are needed."))
    if SipAccount.objects.filter(login=login).exists():
        raise SipAccountError(problem=gettext_lazy("That login name is taken."))
    values.setdefault("operations", list(KIOSK_OPERATIONS))
    _check(values)
    account = SipAccount.objects.create(
        login=login, password_hash=make_password(password), **values
    )
    audit.record("sip2.account_created", actor=by, details={"login": login})
    return account


@transaction.atomic
def update_account(
    account: SipAccount, changes: dict[str, Any], *, by, password: str = ""
) -> SipAccount:
    if by is not None:
        require(by, "sip2.change_sipaccount")
    account = SipAccount.objects.select_for_update().get(pk=account.pk)
    _check(changes)
    changed = []
    for name, value in changes.items():
        if name in EDITABLE and getattr(account, name) != value:
            setattr(account, name, value)
            changed.append(name)
    if password:
        account.password_hash = make_password(password)
        changed.append("password")
    if changed:
        account.save()
        audit.record(
            "sip2.account_changed", actor=by, details={"login": account.login, "fields": changed}
        )
    return account


def authenticate(login: str, password: str) -> SipAccount | None:
    """The active account with this login and password, else None."""
    account = (
        SipAccount.objects.select_related("branch", "acting_user")
        .filter(login=login.strip(), is_active=True)
        .first()
    )
    if account is None or not password:
        make_password(password or "x")  # same work either way: no timing hint
        return None
    if not check_password(password, account.password_hash):
        return None
    return account
