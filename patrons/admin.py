from django.contrib import admin

from patrons.models import Member


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    """Read-only here: member data is changed at the desk screens, where every change is audited."""

    list_display = ("number", "full_name", "category", "home_branch", "expires_on")
    search_fields = ("number", "full_name")
    list_filter = ("category", "home_branch")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
