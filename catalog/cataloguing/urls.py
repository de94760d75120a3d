from django.urls import path

from catalog.cataloguing import views

app_name = "cataloguing"

urlpatterns = [
    path("", views.home, name="home"),
    path("records/new/", views.record_create, name="record-create"),
    path("records/<int:pk>/", views.record_detail, name="record-detail"),
    path("records/<int:pk>/edit/", views.record_edit, name="record-edit"),
    path("records/<int:pk>/delete/", views.record_delete, name="record-delete"),
    path("records/<int:pk>/cover/", views.record_cover, name="record-cover"),
    path("records/<int:pk>/copies/new/", views.items_add, name="items-add"),
    path("copies/<int:pk>/edit/", views.item_edit, name="item-edit"),
    path("copies/<int:pk>/delete/", views.item_delete, name="item-delete"),
    path("contributor-row/", views.contributor_row_view, name="contributor-row"),
    path("suggest/contributors", views.suggest_contributors, name="suggest-contributors"),
    path("suggest/subjects", views.suggest_subjects, name="suggest-subjects"),
    path("labels/", views.labels, name="labels"),
]
