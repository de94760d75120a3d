from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from accounts.roles import ROLE_PERMISSIONS, roles_of


class UsernameOrEmailBackend(ModelBackend):
    """Sign in with the user name or the e-mail address (either case)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        username = username.strip()
        field = "email__iexact" if "@" in username else "username__iexact"
        candidates = list(User._default_manager.filter(**{field: username})[:2])
        if len(candidates) != 1:
            # Run the hasher anyway so that unknown names take as long as known ones.
            User().set_password(password)
            return None
        user = candidates[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    # Permissions come from the roles table (accounts/roles.py), through the role groups the
    # user holds: the groups' names are read once per request (`roles_of`), and the table says
    # what each role may do, so a request checks permissions without two more queries. The
    # role groups' permission rows are the same table (`sync_role_groups` after every
    # migrate); Pustaka grants nothing per user.

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_group_perm_cache"):
            user_obj._group_perm_cache = set().union(
                *(ROLE_PERMISSIONS[role] for role in roles_of(user_obj))
            )
        return user_obj._group_perm_cache
