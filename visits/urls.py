from django.urls import path

from visits import views

app_name = "visits"

urlpatterns = [
    path("", views.kiosk, name="kiosk"),
    path("welcome/", views.welcome, name="welcome"),
    path("purpose/", views.purpose, name="purpose"),
    path("staff/", views.statistics, name="statistics"),
    path("staff/export.csv", views.statistics_export, name="export"),
    path("staff/use/", views.in_library_use, name="in-library-use"),
    path("staff/kiosk/", views.kiosk_setup, name="setup"),
]
