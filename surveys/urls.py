from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    path("s/<str:code>/", views.answer, name="answer"),
    path("s/<str:code>/thanks/", views.thanks, name="thanks"),
    path("s/<str:code>/i/<str:token>/", views.invited, name="invited"),
    path("s/<str:code>/embed/", views.embed, name="embed"),
    path("s/<str:code>/embed/thanks/", views.embed_thanks, name="embed-thanks"),
    path("s/<str:code>/hide/", views.hide, name="hide"),
    path("staff/surveys/evaluation/", views.staff_evaluation, name="staff-evaluation"),
    path("staff/surveys/", views.staff_list, name="staff-list"),
    path("staff/surveys/<int:pk>/", views.staff_survey, name="staff-survey"),
    path("staff/surveys/<int:pk>/state/", views.staff_state, name="staff-state"),
    path("staff/surveys/<int:pk>/preview/", views.staff_preview, name="staff-preview"),
    path("staff/surveys/<int:pk>/results/", views.staff_results, name="staff-results"),
    path("staff/surveys/<int:pk>/results.csv", views.staff_results_csv, name="staff-csv"),
    path("staff/surveys/<int:pk>/results.xlsx", views.staff_results_xlsx, name="staff-xlsx"),
    path("staff/surveys/<int:pk>/ikm/", views.staff_ikm, name="staff-ikm"),
    path("staff/surveys/<int:pk>/ikm/import/", views.staff_ikm_import, name="staff-ikm-import"),
    path("staff/surveys/<int:pk>/poster/", views.staff_poster, name="staff-poster"),
    path("staff/surveys/<int:pk>/send/", views.staff_send, name="staff-send"),
    path("staff/surveys/<int:pk>/compare/", views.staff_compare, name="staff-compare"),
    path(
        "staff/surveys/<int:pk>/sections/<int:section_pk>/",
        views.staff_section,
        name="staff-section",
    ),
    path(
        "staff/surveys/<int:pk>/sections/<int:section_pk>/action/",
        views.staff_section_action,
        name="staff-section-action",
    ),
    path(
        "staff/surveys/<int:pk>/questions/<int:question_pk>/",
        views.staff_question,
        name="staff-question",
    ),
    path(
        "staff/surveys/<int:pk>/questions/<int:question_pk>/action/",
        views.staff_question_action,
        name="staff-question-action",
    ),
]
