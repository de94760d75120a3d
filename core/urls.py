from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("hours/", views.opening_hours, name="opening-hours"),
    path("staff/", views.staff_home, name="staff-home"),
    path("staff/library/", views.library_edit, name="library-edit"),
    path("staff/branches/", views.branch_list, name="branch-list"),
    path("staff/branches/new/", views.branch_create, name="branch-create"),
    path("staff/branches/<int:pk>/", views.branch_edit, name="branch-edit"),
    path("staff/branches/<int:pk>/hours/", views.branch_hours, name="branch-hours"),
    path("staff/closed-days/new/", views.closed_day_create, name="closed-day-create"),
    path("staff/closed-days/<int:pk>/delete/", views.closed_day_delete, name="closed-day-delete"),
    path("staff/audit/", views.audit_log, name="audit-log"),
]
