from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatronsConfig(AppConfig):
    name = "patrons"
    verbose_name = _("Members")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.roles import Role, add_role_permissions
        from core.audit import register_actions
        from core.navigation import Section, StaffLink, register

        # The head of library sets the rules of each member category.
        add_role_permissions(
            Role.HEAD, {"patrons.view_membercategory", "patrons.change_membercategory"}
        )
        add_role_permissions(Role.LIBRARIAN, {"patrons.view_membercategory"})

        register_actions(
            {
                "member.view": _("Viewed a member's record"),
                "member.search": _("Searched members"),
                "member.list": _("Viewed a list of members"),
                "member.create": _("Registered a member"),
                "member.update": _("Changed a member's record"),
                "member.confirm": _("Confirmed a registration"),
                "member.confirmation_resent": _("Sent a new confirmation link"),
                "member.access_link": _("Sent a link for online access"),
                "member.access_created": _("Created online access"),
                "member.renew": _("Renewed a membership"),
                "member.block": _("Blocked a member"),
                "member.unblock": _("Lifted a member's block"),
                "member.close": _("Closed a membership"),
                "member.merge": _("Merged duplicate members"),
                "member.card": _("Printed a member card"),
                "member_category.update": _("Changed a member category's rules"),
            }
        )
        register(
            StaffLink(
                key="patrons.members",
                label=_("Members"),
                url_name="patrons:member-list",
                section=Section.DAILY,
                permission="patrons.view_member",
                description=_("Find, register and update members."),
                order=20,
            ),
            StaffLink(
                key="patrons.pending",
                label=_("Registrations to confirm"),
                url_name="patrons:pending-list",
                section=Section.DAILY,
                permission="patrons.view_member",
                description=_("Members who registered online and wait for confirmation."),
                order=21,
            ),
            StaffLink(
                key="patrons.expiring",
                label=_("Memberships expiring soon"),
                url_name="patrons:expiring-list",
                section=Section.DAILY,
                permission="patrons.view_member",
                description=_("Memberships that end in the next 30 days."),
                order=22,
            ),
            StaffLink(
                key="patrons.cards",
                label=_("Print member cards"),
                url_name="patrons:card-sheet",
                section=Section.DAILY,
                permission="patrons.view_member",
                description=_("Member cards (KTA) as PDF, one or a sheet of many."),
                order=23,
            ),
            StaffLink(
                key="patrons.duplicates",
                label=_("Duplicate members"),
                url_name="patrons:duplicate-list",
                section=Section.DAILY,
                permission="patrons.change_member",
                description=_("Records that may be the same person; review and merge them."),
                order=24,
            ),
            StaffLink(
                key="patrons.categories",
                label=_("Member categories"),
                url_name="patrons:category-list",
                section=Section.ADMINISTRATION,
                permission="patrons.change_membercategory",
                description=_(
                    "How long a membership lasts, guardians, and when members are blocked."
                ),
                order=40,
            ),
        )
