from django.urls import path

from participation import idea_views, views

app_name = "participation"

urlpatterns = [
    path("suggest/", views.suggest, name="suggest"),
    path("suggest/mine/", views.mine, name="mine"),
    path("staff/suggestions/", views.staff_list, name="staff-suggestions"),
    path(
        "staff/suggestions/<int:pk>/<slug:action>/",
        views.staff_action,
        name="staff-suggestion-action",
    ),
    path("ideas/", idea_views.board, name="ideas"),
    path("ideas/new/", idea_views.propose, name="idea-new"),
    path("ideas/<int:pk>/", idea_views.detail, name="idea"),
    path("ideas/<int:pk>/vote/", idea_views.vote, name="idea-vote"),
    path("ideas/<int:pk>/comment/", idea_views.add_comment, name="idea-comment"),
    path("ideas/<int:pk>/status/", idea_views.set_status, name="idea-status"),
    path("ideas/comments/<int:pk>/hide/", idea_views.hide_comment, name="idea-comment-hide"),
    path("ideas/comments/<int:pk>/report/", idea_views.report_comment, name="idea-comment-report"),
    path("staff/ideas/reported/", idea_views.reported, name="staff-reported"),
    path(
        "staff/ideas/reported/<int:pk>/<slug:action>/",
        idea_views.moderate,
        name="staff-reported-action",
    ),
]
