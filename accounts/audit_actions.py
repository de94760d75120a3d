from django.utils.translation import gettext_lazy as _

from core.audit import register_actions

register_actions(
    {
        "auth.login": _("Signed in"),
        "auth.login_failed": _("Failed to sign in"),
        "auth.locked": _("Sign-in locked after repeated failures"),
        "auth.logout": _("Signed out"),
        "auth.unlock": _("Unlocked an account's sign-in"),
        "auth.2fa_enabled": _("Turned on two-factor sign-in"),
        "auth.2fa_disabled": _("Turned off two-factor sign-in"),
        "auth.2fa_failed": _("Entered a wrong two-factor code"),
        "auth.password_changed": _("Changed their password"),
        "user.create": _("Created a user account"),
        "user.roles": _("Changed a user's roles"),
        "api.token_issued": _("Issued an API token"),
        "api.token_revoked": _("Revoked an API token"),
    }
)
