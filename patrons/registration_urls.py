from django.urls import path

from patrons import registration_views as views
from patrons.views import my_kiosk_pin

app_name = "registration"

urlpatterns = [
    path("", views.join, name="join"),
    path("sent/", views.join_sent, name="sent"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("confirm/<str:token>/resend/", views.resend, name="resend"),
    path("card/", views.digital_card, name="card"),
    path("kiosk-pin/", my_kiosk_pin, name="kiosk-pin"),
    path("access/", views.access_request, name="access"),
    path("access/<str:token>/", views.access_set_password, name="access-set"),
]
