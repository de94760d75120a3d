from django.contrib import admin

from spaces.models import Booking, BookingRule, Equipment, Space, SpacePhoto


class SpacePhotoInline(admin.TabularInline):
    model = SpacePhoto
    extra = 0


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ["name", "branch", "kind", "capacity", "is_bookable", "is_active"]
    list_filter = ["branch", "kind", "is_active"]
    inlines = [SpacePhotoInline]


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = ["name", "branch", "kind", "bookable_alone", "is_active"]
    list_filter = ["branch", "kind"]


@admin.register(BookingRule)
class BookingRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "space", "space_kind", "member_category"]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read-only: bookings change through the services (the state machine and the overlap
    rule), never by editing a row."""

    list_display = ["starts_at", "space", "equipment", "member", "state", "kind"]
    list_filter = ["state", "kind", "space__branch"]
    raw_id_fields = ["member", "series", "with_booking"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
