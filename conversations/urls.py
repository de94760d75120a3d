from django.urls import path

from conversations import feedback_views, views

app_name = "conversations"

urlpatterns = [
    path("ask/", views.ask, name="ask"),
    path("ask/thread/<str:token>/", views.thread, name="thread"),
    path("ask/thread/<str:token>/reply/", views.thread_reply, name="thread-reply"),
    path("ask/thread/<str:token>/rate/", views.thread_rate, name="thread-rate"),
    path("faq/", views.faq, name="faq"),
    path("staff/questions/", views.staff_queue, name="staff-queue"),
    path("staff/questions/saved-replies/", views.staff_saved_replies, name="staff-saved-replies"),
    path("staff/questions/<int:pk>/", views.staff_question, name="staff-question"),
    path(
        "staff/questions/<int:pk>/<slug:action>/", views.staff_action, name="staff-question-action"
    ),
    path("feedback/", feedback_views.submit, name="feedback"),
    path("feedback/status/<str:token>/", feedback_views.status, name="feedback-status"),
    path("feedback/you-said-we-did/", feedback_views.you_said_we_did, name="you-said-we-did"),
    path("staff/feedback/stats/", feedback_views.staff_stats, name="staff-stats"),
    path("staff/feedback/", feedback_views.staff_list, name="staff-feedback"),
    path("staff/feedback/<int:pk>/", feedback_views.staff_detail, name="staff-feedback-detail"),
    path(
        "staff/feedback/<int:pk>/<slug:action>/",
        feedback_views.staff_action,
        name="staff-feedback-action",
    ),
]
