from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


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
