from django.urls import path

from events import quiz_views, views

app_name = "events"

urlpatterns = [
    path("events/", views.event_list, name="list"),
    path("events/month/", views.event_month, name="month"),
    path("events/week/", views.event_week, name="week"),
    path("events/feed.ics", views.feed, name="feed"),
    path("events/mine/", views.my_registrations, name="mine"),
    path("events/<int:pk>/", views.event_detail, name="detail"),
    path("events/<int:pk>/event.ics", views.event_ics, name="event-ics"),
    path("events/series/<int:pk>/register/", views.series_register, name="series-register"),
    path("events/r/<str:token>/", views.registration_detail, name="registration"),
    path("events/r/<str:token>/cancel/", views.registration_cancel, name="registration-cancel"),
    path("events/r/<str:token>/confirm/", views.registration_confirm, name="registration-confirm"),
    path("events/r/<str:token>/event.ics", views.registration_ics, name="registration-ics"),
    path(
        "events/r/<str:token>/certificate.pdf",
        views.registration_certificate,
        name="registration-certificate",
    ),
    path("events/r/<str:token>/entry/", views.registration_entry, name="registration-entry"),
    path("events/r/<str:token>/quiz/", quiz_views.registration_quiz, name="registration-quiz"),
    path(
        "events/r/<str:token>/quiz/start/",
        quiz_views.registration_quiz_start,
        name="registration-quiz-start",
    ),
    path(
        "events/r/<str:token>/quiz/<str:code>/",
        quiz_views.registration_quiz_answer,
        name="registration-quiz-answer",
    ),
    path("events/<int:pk>/quiz/", quiz_views.member_quiz, name="quiz"),
    path("events/<int:pk>/quiz/leaderboard/", quiz_views.leaderboard, name="quiz-leaderboard"),
    path("staff/events/<int:pk>/quiz/", quiz_views.staff_quiz, name="staff-quiz"),
    path(
        "staff/events/<int:pk>/quiz/questions/new/",
        quiz_views.staff_quiz_question,
        name="staff-quiz-question-new",
    ),
    path(
        "staff/events/<int:pk>/quiz/questions/<int:question_pk>/",
        quiz_views.staff_quiz_question,
        name="staff-quiz-question",
    ),
    path(
        "staff/events/<int:pk>/quiz/questions/<int:question_pk>/delete/",
        quiz_views.staff_quiz_question_delete,
        name="staff-quiz-question-delete",
    ),
    path("events/<int:pk>/judging/", views.judging, name="judging"),
    path("events/<int:pk>/judging/<int:entry_pk>/", views.judging_score, name="judging-score"),
    path("events/<int:pk>/judging/<int:entry_pk>/file/", views.judging_file, name="judging-file"),
    path("events/certificates/", views.certificate_lookup, name="certificate-lookup"),
    path("events/certificates/<str:code>/", views.certificate_verify, name="certificate"),
    path("staff/events/", views.staff_list, name="staff-list"),
    path("staff/events/new/", views.staff_edit, name="staff-create"),
    path("staff/events/<int:pk>/competition/", views.staff_competition, name="staff-competition"),
    path(
        "staff/events/<int:pk>/competition/publish/",
        views.staff_publish_results,
        name="staff-publish-results",
    ),
    path("staff/events/dashboard/", views.staff_dashboard, name="staff-dashboard"),
    path(
        "staff/events/<int:pk>/attendees.<str:fmt>",
        views.staff_attendees,
        name="staff-attendees",
    ),
    path("staff/events/<int:pk>/", views.staff_event, name="staff-event"),
    path("staff/events/<int:pk>/edit/", views.staff_edit, name="staff-edit"),
    path("staff/events/<int:pk>/publish/", views.staff_publish, name="staff-publish"),
    path("staff/events/<int:pk>/cancel/", views.staff_cancel, name="staff-cancel"),
    path("staff/events/<int:pk>/series/", views.staff_make_series, name="staff-series"),
    path("staff/events/<int:pk>/walk-in/", views.staff_walk_in, name="staff-walk-in"),
    path(
        "staff/events/<int:pk>/certificates/",
        views.staff_certificates,
        name="staff-certificates",
    ),
    path(
        "staff/events/<int:pk>/certificates/issue/",
        views.staff_issue_certificates,
        name="staff-issue-certificates",
    ),
    path(
        "staff/events/<int:pk>/certificates/<int:certificate_pk>.pdf",
        views.staff_certificate_pdf,
        name="staff-certificate-pdf",
    ),
    path(
        "staff/events/<int:pk>/check-in/<int:registration_pk>/",
        views.staff_check_in,
        name="staff-check-in",
    ),
]
