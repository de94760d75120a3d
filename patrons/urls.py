from django.urls import path

from patrons import views

app_name = "patrons"

urlpatterns = [
    path("", views.member_list, name="member-list"),
    path("new/", views.member_create, name="member-create"),
    path("pending/", views.pending_list, name="pending-list"),
    path("expiring/", views.expiring_list, name="expiring-list"),
    path("duplicates/", views.duplicate_list, name="duplicate-list"),
    path("merge/<int:first>/<int:second>/", views.merge_review, name="merge"),
    path("cards/", views.card_sheet, name="card-sheet"),
    path("categories/", views.category_list, name="category-list"),
    path("categories/<slug:code>/", views.category_edit, name="category-edit"),
    path("<int:pk>/", views.member_detail, name="member-detail"),
    path("<int:pk>/edit/", views.member_edit, name="member-edit"),
    path("<int:pk>/confirm/", views.member_confirm, name="member-confirm"),
    path("<int:pk>/renew/", views.member_renew, name="member-renew"),
    path("<int:pk>/access-link/", views.member_access_link, name="member-access-link"),
    path("<int:pk>/block/", views.member_block, name="member-block"),
    path("<int:pk>/unblock/", views.member_unblock, name="member-unblock"),
    path("<int:pk>/close/", views.member_close, name="member-close"),
    path("<int:pk>/card.pdf", views.member_card, name="member-card"),
    path("<int:pk>/kiosk-pin/", views.member_pin, name="member-pin"),
]
