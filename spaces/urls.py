from django.urls import path

from spaces import views

app_name = "spaces"

urlpatterns = [
    path("staff/spaces/", views.staff_day, name="staff-day"),
]
