"""Permission checks for services. Views check too, but the service is where the rule lives."""

from __future__ import annotations

from core.errors import PermissionDeniedError


def require(user, permission: str) -> None:
    """Raise PermissionDeniedError unless `user` holds `permission` (e.g. "core.change_library")."""
    if user is None or not getattr(user, "is_active", False) or not user.has_perm(permission):
        raise PermissionDeniedError()
