from django.urls import path

from circulation import fine_views, rule_views, views

app_name = "circulation"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("branch/", views.choose_branch, name="branch"),
    path("scan/", views.scan, name="scan"),
    path("finish/", views.finish, name="finish"),
    path("check-ins/clear/", views.clear_checkins, name="clear-checkins"),
    path("loans/<int:pk>/renew/", views.renew, name="renew"),
    path("loans/<int:pk>/lost/", views.mark_lost, name="mark-lost"),
    path("members/<int:member_pk>/receipt/", views.receipt, name="receipt"),
    path("members/<int:member_pk>/receipt/email/", views.email_receipt, name="email-receipt"),
    path("members/<int:member_pk>/holds/", views.place_hold, name="place-hold"),
    path("holds/<int:pk>/cancel/", views.cancel_hold, name="cancel-hold"),
    path("holds/<int:pk>/suspend/", views.suspend_hold, name="suspend-hold"),
    path("holds/<int:pk>/resume/", views.resume_hold, name="resume-hold"),
    path("holds/<int:pk>/slip/", views.hold_slip, name="hold-slip"),
    path("hold-shelf/", views.hold_shelf, name="hold-shelf"),
    path("hold-shelf/expire/", views.expire_holds, name="expire-holds"),
    path("pull-list/", views.pull_list, name="pull-list"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/<int:pk>/receive/", views.receive_transfer, name="receive-transfer"),
    path("transfers/<int:pk>/slip/", views.transfer_slip, name="transfer-slip"),
    path("members/<int:member_pk>/fines/", fine_views.ledger, name="fines"),
    path("members/<int:member_pk>/fines/pay/", fine_views.pay, name="pay"),
    path("members/<int:member_pk>/fines/waive/", fine_views.waive, name="waive"),
    path("members/<int:member_pk>/fines/charge/", fine_views.charge, name="charge"),
    path("payments/<int:pk>/receipt/", fine_views.payment_receipt, name="payment-receipt"),
    path("rules/", rule_views.rules, name="rules"),
    path("rules/new/", rule_views.rule_create, name="rule-create"),
    path("rules/<int:pk>/edit/", rule_views.rule_edit, name="rule-edit"),
    path("rules/<int:pk>/delete/", rule_views.rule_delete, name="rule-delete"),
    path("account-requests/", rule_views.deletion_requests, name="deletion-requests"),
    path(
        "account-requests/<int:pk>/",
        rule_views.handle_deletion_request,
        name="handle-deletion-request",
    ),
]
