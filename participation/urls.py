from django.urls import path

from participation import views

app_name = "participation"

urlpatterns = [
    path("suggest/", views.suggest, name="suggest"),
    path("suggest/mine/", views.mine, name="mine"),
    path("staff/suggestions/", views.staff_list, name="staff-suggestions"),
    path(
        "staff/suggestions/<int:pk>/<slug:action>/",
        views.staff_action,
        name="staff-suggestion-action",
    ),
]
