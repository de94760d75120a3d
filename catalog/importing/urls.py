from django.urls import path

from catalog.importing import views

app_name = "importing"

urlpatterns = [
    path("", views.import_list, name="list"),
    path("new/", views.import_new, name="new"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/columns/", views.import_mapping, name="mapping"),
    path("<int:pk>/control/", views.import_control, name="control"),
    path("export/", views.export, name="export"),
    path("export/download/", views.export_download, name="export-download"),
]
