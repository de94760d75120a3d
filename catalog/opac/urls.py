from django.urls import path

from catalog.opac import views

app_name = "opac"

urlpatterns = [
    path("", views.search, name="search"),
    path("advanced/", views.advanced, name="advanced"),
    path("records/<int:pk>/", views.record, name="record"),
    path("subjects/", views.subjects, name="subjects"),
    path("classes/", views.classes, name="classes"),
    path("classes/<str:code>/", views.classes, name="class"),
    path("new/", views.new_arrivals, name="new-arrivals"),
]
