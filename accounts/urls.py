from django.urls import path

from accounts import views
from accounts.decorators import member_required

app_name = "accounts"

urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("login/code/", views.verify, name="verify"),
    path("two-factor/", views.two_factor_setup, name="two-factor-setup"),
    path("two-factor/off/", views.two_factor_disable, name="two-factor-disable"),
    path("logout/", views.sign_out, name="logout"),
    path("", views.account_home, name="home"),
    path("language/", views.set_language, name="set-language"),
    path(
        "password/",
        member_required(views.PasswordChangeView.as_view()),
        name="password-change",
    ),
    path("password/reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password/reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password-reset-sent",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password/reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
]
