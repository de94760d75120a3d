"""Staff navigation links of the desk (registered from CirculationConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from core.navigation import Section, StaffLink, register


def register_links() -> None:
    register(
        StaffLink(
            key="circulation.desk",
            label=_("Desk"),
            url_name="circulation:desk",
            section=Section.DAILY,
            permission="circulation.add_loan",
            description=_("Scan member cards and items: check out, check in, renew, fines."),
            order=10,
        ),
        StaffLink(
            key="circulation.hold-shelf",
            label=_("Hold shelf"),
            url_name="circulation:hold-shelf",
            section=Section.DAILY,
            permission="circulation.view_hold",
            description=_("Holds ready for pickup, and uncollected ones to clear."),
            order=20,
        ),
        StaffLink(
            key="circulation.pull-list",
            label=_("Pull list"),
            url_name="circulation:pull-list",
            section=Section.DAILY,
            permission="circulation.view_hold",
            description=_("Items on this branch's shelves that can fill holds."),
            order=21,
        ),
        StaffLink(
            key="circulation.transfers",
            label=_("Transfers"),
            url_name="circulation:transfers",
            section=Section.DAILY,
            permission="circulation.view_transfer",
            description=_("Items on their way between branches; receive them here."),
            order=22,
        ),
        StaffLink(
            key="circulation.rules",
            label=_("Loan rules"),
            url_name="circulation:rules",
            section=Section.ADMINISTRATION,
            permission="circulation.view_loanpolicy",
            description=_(
                "Loan periods, limits, fines and holds per category, material and branch."
            ),
            order=30,
        ),
        StaffLink(
            key="circulation.deletion-requests",
            label=_("Account deletion requests"),
            url_name="circulation:deletion-requests",
            section=Section.ADMINISTRATION,
            permission="patrons.change_member",
            description=_("Members who asked for their account to be deleted."),
            order=40,
        ),
    )
