from django.urls import path

from sip2 import views

app_name = "sip2"

urlpatterns = [
    path("", views.accounts, name="accounts"),
    path("new/", views.account_create, name="account-create"),
    path("<int:pk>/", views.account_edit, name="account-edit"),
]
