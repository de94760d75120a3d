from django.urls import path

from spaces import setup_views, views

app_name = "spaces"

urlpatterns = [
    path("spaces/", views.space_list, name="list"),
    path("spaces/<int:pk>/", views.space_detail, name="detail"),
    path("spaces/<int:pk>/book/", views.book, name="book"),
    path("spaces/<int:pk>/weekly/", views.series, name="series"),
    path("spaces/<int:pk>/feed.ics", views.space_feed, name="feed"),
    path("spaces/mine/", views.my_bookings, name="mine"),
    path("spaces/b/<str:code>/", views.booking_detail, name="booking"),
    path("spaces/b/<str:code>/cancel/", views.booking_cancel, name="cancel"),
    path("spaces/b/<str:code>/change/", views.booking_change, name="change"),
    path("spaces/b/<str:code>/booking.ics", views.booking_ics, name="booking-ics"),
    path("spaces/door/<str:door_code>/", views.door, name="door"),
    path("staff/spaces/", views.staff_day, name="staff-day"),
    path("staff/spaces/book/", views.staff_book, name="staff-book"),
    path("staff/spaces/usage/", views.staff_usage, name="staff-usage"),
    path(
        "staff/spaces/usage/export.<str:fmt>",
        views.staff_usage_export,
        name="staff-usage-export",
    ),
    path("staff/spaces/block/", views.staff_block, name="staff-block"),
    path("staff/spaces/setup/", setup_views.staff_setup, name="staff-setup"),
    path(
        "staff/spaces/setup/rooms/new/", setup_views.staff_space_create, name="staff-space-create"
    ),
    path(
        "staff/spaces/setup/rooms/<int:pk>/", setup_views.staff_space_edit, name="staff-space-edit"
    ),
    path(
        "staff/spaces/setup/rooms/<int:pk>/photos/<int:photo>/remove/",
        setup_views.staff_photo_remove,
        name="staff-photo-remove",
    ),
    path(
        "staff/spaces/setup/equipment/new/",
        setup_views.staff_equipment_create,
        name="staff-equipment-create",
    ),
    path(
        "staff/spaces/setup/equipment/<int:pk>/",
        setup_views.staff_equipment_edit,
        name="staff-equipment-edit",
    ),
    path("staff/spaces/setup/rules/new/", setup_views.staff_rule_create, name="staff-rule-create"),
    path("staff/spaces/setup/rules/<int:pk>/", setup_views.staff_rule_edit, name="staff-rule-edit"),
    path(
        "staff/spaces/setup/rules/<int:pk>/delete/",
        setup_views.staff_rule_delete,
        name="staff-rule-delete",
    ),
    path("staff/spaces/<int:pk>/door-sign/", views.staff_door_sign, name="staff-door-sign"),
    path("staff/spaces/b/<int:pk>/approve/", views.staff_approve, name="staff-approve"),
    path("staff/spaces/b/<int:pk>/decline/", views.staff_decline, name="staff-decline"),
    path("staff/spaces/b/<int:pk>/cancel/", views.staff_cancel, name="staff-cancel"),
    path("staff/spaces/b/<int:pk>/check-in/", views.staff_check_in, name="staff-check-in"),
]
