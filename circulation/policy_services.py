"""Changes to the loan-rule matrix (LoanPolicy rows), made from the loan-rules screen. Each is
checked against the staff member's permission and audited with the fields that changed."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy

from circulation.errors import CirculationError
from circulation.models import LoanPolicy
from core import audit
from core.permissions import require

audit.register_actions(
    {
        "circulation.policy_create": gettext_lazy("Added a loan rule"),
        "circulation.policy_update": gettext_lazy("Changed a loan rule"),
        "circulation.policy_delete": gettext_lazy("Removed a loan rule"),
    }
)


class PolicyCellTakenError(CirculationError):
    code = "policy_cell_taken"
    message = gettext_lazy(
        "There is already a rule for this member category, material type and branch. "
        "Change that rule instead."
    )


@transaction.atomic
def create_loan_policy(data: dict[str, Any], *, staff) -> LoanPolicy:
    require(staff, "circulation.add_loanpolicy")
    policy = LoanPolicy(**data)
    try:
        with transaction.atomic():
            policy.save()
    except IntegrityError as error:
        raise PolicyCellTakenError() from error
    audit.record("circulation.policy_create", actor=staff, subject=policy)
    return policy


@transaction.atomic
def update_loan_policy(policy: LoanPolicy, data: dict[str, Any], *, staff) -> LoanPolicy:
    require(staff, "circulation.change_loanpolicy")
    policy = LoanPolicy.objects.select_for_update().get(pk=policy.pk)
    changed = []
    for name, value in data.items():
        current = getattr(policy, name)
        if current != value:
            setattr(policy, name, value)
            changed.append(name)
    if changed:
        try:
            with transaction.atomic():
                policy.save()
        except IntegrityError as error:
            raise PolicyCellTakenError() from error
        audit.record(
            "circulation.policy_update",
            actor=staff,
            subject=policy,
            details={"fields": sorted(changed)},
        )
    return policy


@transaction.atomic
def delete_loan_policy(policy: LoanPolicy, *, staff) -> None:
    require(staff, "circulation.delete_loanpolicy")
    audit.record("circulation.policy_delete", actor=staff, subject=policy)
    policy.delete()
