from django.urls import path

from inventory import views

app_name = "inventory"

urlpatterns = [
    path("", views.session_list, name="sessions"),
    path("<int:pk>/", views.session_detail, name="session"),
    path("<int:pk>/counts/", views.session_counts, name="counts"),
    path("<int:pk>/scan/", views.session_scan, name="scan"),
    path("<int:pk>/upload/", views.session_upload, name="upload"),
    path("<int:pk>/close/", views.session_close, name="close"),
    path("<int:pk>/reopen/", views.session_reopen, name="reopen"),
    path("<int:pk>/report/", views.session_report, name="report"),
    path("<int:pk>/export.csv", views.session_export, name="export"),
]
