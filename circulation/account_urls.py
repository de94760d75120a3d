from django.urls import path

from circulation import account_views, opac_holds

app_name = "myaccount"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("loans/<int:pk>/renew/", account_views.renew, name="renew"),
    path("holds/place/<int:record_pk>/", opac_holds.place_hold, name="place-hold"),
    path("holds/<int:pk>/cancel/", account_views.cancel_hold, name="cancel-hold"),
    path("holds/<int:pk>/suspend/", account_views.suspend_hold, name="suspend-hold"),
    path("holds/<int:pk>/resume/", account_views.resume_hold, name="resume-hold"),
    path("fines/", account_views.fines, name="fines"),
    path("history/", account_views.history, name="history"),
    path("privacy/", account_views.privacy, name="privacy"),
    path("my-data.json", account_views.download_json, name="download-json"),
    path("my-data.csv.zip", account_views.download_csv, name="download-csv"),
    path("delete/", account_views.delete_account, name="delete"),
]
