from django.contrib import admin

from events.models import Event, Partner, Question, Registration, Series, Speaker


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "branch", "status"]
    list_filter = ["kind", "status", "branch"]
    search_fields = ["title"]
    inlines = [QuestionInline]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["name", "event", "seats", "state", "created_at"]
    list_filter = ["state"]
    # State and seats change only through the services, which keep the event's seat counters.
    readonly_fields = ["state", "seats", "code", "waitlist_number", "offer_expires_at"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # cancel instead: a deleted registration would leave its seat counted


admin.site.register(Series)
admin.site.register(Speaker)
admin.site.register(Partner)
