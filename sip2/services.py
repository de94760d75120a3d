"""SIP2 accounts: create, change, set the password, authenticate a kiosk's login."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core import audit
from core.errors import DomainError
from core.permissions import require
from sip2.models import (
    HIDEABLE_FIELDS,
    KIOSK_OPERATIONS,
    OPTIONAL_FIELDS,
    DueDateFormat,
    HomeBranchField,
    ItemProperties,
    SipAccount,
)

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
    "hidden_fields",
    "due_date_format",
    "home_branch_field",
    "screen_message_prefix",
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
    if len(values.get("screen_message_prefix") or "") > 40:
        raise SipAccountError(problem=gettext_lazy("The screen message prefix is too long."))
    for name, choices in (("optional_fields", OPTIONAL_FIELDS), ("hidden_fields", HIDEABLE_FIELDS)):
        unknown = set(values.get(name) or []) - {code for code, _label in choices}
        if unknown:
            raise SipAccountError(
                problem=gettext_lazy("Unknown fields: %(fields)s")
                % {"fields": ", ".join(sorted(unknown))}
            )
    for name, choices in (
        ("due_date_format", DueDateFormat),
        ("home_branch_field", HomeBranchField),
    ):
        if name in values and values[name] not in choices.values:
            raise SipAccountError(
                problem=gettext_lazy("Unknown choice: %(value)s") % {"value": values[name]}
            )


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


@transaction.atomic
def set_item_properties(item, text: str, *, account: SipAccount | None) -> ItemProperties | None:
    """Store what a kiosk or sorter says about an item (SIP2 19); empty text forgets it."""
    text = text.strip()[:255]
    if not text:
        ItemProperties.objects.filter(item=item).delete()
        return None
    properties, _created = ItemProperties.objects.update_or_create(
        item=item,
        defaults={"text": text, "account": account, "updated_at": timezone.now()},
    )
    return properties
