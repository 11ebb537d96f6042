"""The two roles (SPA-agnostic): deal admins edit terms and data; clerks run
the holder-facing workflows. Groups are created by a data migration
(``0002_fill_groups``) through ``ensure_groups`` so tests and commands share it."""

from __future__ import annotations

DEAL_ADMIN = "Deal admin"
CLERK = "Clerk"

# (app_label, codename) permissions per group. Clerks get view permissions in
# the admin-free pages only; deal admins edit everything in the admin.
CLERK_PERMS = [
    ("deals", "view_investor"),
    ("deals", "view_debenture"),
    ("deals", "view_preferredholding"),
    ("deals", "view_warrant"),
    ("deals", "view_conversion"),
    ("deals", "add_conversion"),
    ("deals", "view_warrantexercise"),
    ("deals", "add_warrantexercise"),
    ("deals", "view_marketprice"),
    ("deals", "view_obligation"),
    ("deals", "view_redemption"),  # notices: clerks download Notices of Redemption
    ("deals", "view_settlement"),  # the books: clerks read settlements (deal admins record them)
    ("deals", "view_accountstatement"),  # and download statements of account
    ("deals", "add_accountstatement"),
    ("notices", "view_notice"),
    # closing and transfers: clerks read the rooms, registers and letters; deal admins write
    ("deals", "view_closingroom"),
    ("deals", "view_legendremoval"),
    ("deals", "view_transfer"),
    ("deals", "view_debentureregisterentry"),
    ("deals", "view_saleevent"),
    ("deals", "view_transferagentinstruction"),
    ("deals", "add_transferagentinstruction"),  # share delivery is the clerks' workflow (SPA 5(a))
]


# Deal admins see failed sign-ins and unlock locked-out users (django-axes' admin; issue 15 item 3).
DEAL_ADMIN_EXTRA_PERMS = [
    ("axes", "view_accessattempt"),
    ("axes", "delete_accessattempt"),
    ("axes", "view_accessfailurelog"),
    ("axes", "view_accesslog"),
]


def ensure_groups(apps=None) -> None:
    """Create or refresh the two groups and their permissions (idempotent)."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    clerk, _ = Group.objects.get_or_create(name=CLERK)
    admin, _ = Group.objects.get_or_create(name=DEAL_ADMIN)
    deal_perms = Permission.objects.filter(content_type__app_label__in=["deals", "notices"])
    extra = [p for p in Permission.objects.filter(content_type__app_label="axes").select_related("content_type")
             if (p.content_type.app_label, p.codename) in set(DEAL_ADMIN_EXTRA_PERMS)]
    admin.permissions.set([*deal_perms, *extra])
    clerk_perms = [p for p in deal_perms if (p.content_type.app_label, p.codename) in set(CLERK_PERMS)]
    clerk.permissions.set(clerk_perms)


def _group_names(user) -> frozenset[str]:
    """The user's group names, loaded once per user object (one query)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_nhtc_group_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._nhtc_group_names = cached
    return cached


def is_deal_admin(user) -> bool:
    """Deal admins (and superusers) edit terms and run company-side workflows."""
    return bool(user.is_authenticated and (user.is_superuser or DEAL_ADMIN in _group_names(user)))


def is_clerk(user) -> bool:
    """Clerks run holder-facing workflows; deal admins may do everything a clerk may."""
    return bool(is_deal_admin(user) or CLERK in _group_names(user))
