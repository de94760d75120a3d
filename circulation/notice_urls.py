from django.urls import path

from circulation import notice_views

app_name = "notices"

urlpatterns = [
    path("", notice_views.notice_list, name="list"),
    path("<int:pk>/", notice_views.notice_detail, name="detail"),
    path("<int:pk>/resend/", notice_views.notice_resend, name="resend"),
]
