"""Users, sign-in throttling and API tokens. Roles are groups; see roles.py."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("manage_roles", _("Can give and take away staff roles"))]
        constraints = [
            # People sign in with their e-mail address too (accounts.backends): two accounts
            # with one address could sign in with neither. Case does not make another address.
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="one_account_per_email",
                violation_error_message=_("Another account already uses this e-mail address."),
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ThrottleScope(models.TextChoices):
    ACCOUNT = "account", _("Account")
    ADDRESS = "address", _("Network address")


class LoginThrottle(models.Model):
    """Failed sign-ins counted per account name and per network address."""

    scope = models.CharField(_("scope"), max_length=10, choices=ThrottleScope.choices)
    key = models.CharField(_("account or address"), max_length=150)
    failures = models.PositiveIntegerField(_("failed attempts"), default=0)
    last_failure_at = models.DateTimeField(_("last failure"), null=True, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in throttle")
        verbose_name_plural = _("sign-in throttles")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="one_throttle_per_scope_key")
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()}: {self.key}"

    def is_locked(self, at=None) -> bool:
        return bool(self.locked_until and self.locked_until > (at or timezone.now()))


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the REST API (the phone app). Only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100, default="app")
    prefix = models.CharField(_("prefix"), max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} · {self.name} · {self.prefix}…"
