"""The Django admin site is the system administrator's tool for accounts and roles.

Roles are set through `services.set_roles` so that every change is audited.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import ApiToken, LoginThrottle, User
from accounts.roles import Role, roles_of


class RolesMixin(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class PustakaUserChangeForm(UserChangeForm, RolesMixin):
    class Meta(UserChangeForm.Meta):
        model = User


class PustakaUserCreationForm(UserCreationForm, RolesMixin):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = PustakaUserChangeForm
    add_form = PustakaUserCreationForm
    list_display = ("username", "get_full_name", "email", "role_list", "is_active", "last_login")
    list_filter = ("is_active", "groups")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "email", "preferred_language")}),
        (_("Roles"), {"fields": ("roles", "is_active")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "email", "password1", "password2", "roles")}),)
    readonly_fields = ("last_login", "date_joined")

    @admin.display(description=_("Roles"))
    def role_list(self, obj: User) -> str:
        return ", ".join(sorted(str(r.label) for r in roles_of(obj)))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            form.base_fields["roles"].initial = [r.value for r in roles_of(obj)]
        return form

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        roles = {Role(value) for value in form.cleaned_data.get("roles", [])}
        if roles != roles_of(form.instance) or not change:
            form.instance._pustaka_roles = None
            services.set_roles(form.instance, roles, by=request.user)


@admin.register(LoginThrottle)
class LoginThrottleAdmin(admin.ModelAdmin):
    list_display = ("scope", "key", "failures", "last_failure_at", "locked_until")
    list_filter = ("scope",)
    search_fields = ("key",)
    actions = ["unlock"]
    readonly_fields = ("scope", "key", "failures", "last_failure_at", "locked_until")

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Unlock the selected accounts and addresses"))
    def unlock(self, request, queryset):
        for row in queryset:
            if row.scope == "account":
                services.unlock_sign_in(row.key, by=request.user)
            else:
                row.delete()
        messages.success(request, _("Unlocked."))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at")
    search_fields = ("user__username", "prefix")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at")
    exclude = ("key_hash",)

    def has_add_permission(self, request) -> bool:
        return False


# The admin site signs in through Pustaka's own sign-in (throttled, with the second factor),
# and lets in only those who passed the second factor when they need one.
def _admin_login(request, extra_context=None):
    from django.shortcuts import redirect
    from django.urls import reverse
    from django.utils.http import urlencode

    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")


_admin_has_permission = admin.site.has_permission


def _has_permission(request) -> bool:
    from accounts.twofactor import needs_second_factor

    user = request.user
    if not _admin_has_permission(request):
        return False
    return not needs_second_factor(user) or user.is_verified()


admin.site.login = _admin_login
admin.site.has_permission = _has_permission
