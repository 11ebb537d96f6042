"""The admin site: deal admins only, history read-only.

- Entry: an active staff user with the deal admin role (``deals.services.roles.is_deal_admin``;
  superusers count as deal admins and stay allowed). ``is_staff`` alone is not enough: a staff user
  with the clerk role or no role gets 403, as does any signed-in user without admin access (instead
  of the admin's login form).
- History: every model admin with django-simple-history derives from ``ReadOnlyHistoryAdmin``.
  Its pages list and show past versions; nothing is ever saved from them ("Revert" is gone and a
  POST answers 403). Records change only through the services and the normal change pages, which
  keep their own permission checks.
"""

from functools import wraps

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

HISTORY_READ_ONLY = "History is read-only: records change only through their workflows and change pages."


class BackOfficeAdminSite(admin.AdminSite):
    site_header = "NHTC deal back office -- administration"
    site_title = "NHTC back office admin"
    index_title = "Deal data"

    def register(self, model_or_iterable, admin_class=None, **options):
        """Any simple-history admin registered here gets the read-only history pages, including
        admins written later that forget to derive from ``ReadOnlyHistoryAdmin``."""
        if (admin_class is not None and issubclass(admin_class, SimpleHistoryAdmin)
                and not issubclass(admin_class, ReadOnlyHistoryAdmin)):
            admin_class = type(admin_class.__name__, (ReadOnlyHistoryAdmin, admin_class),
                               {"__module__": admin_class.__module__})
        return super().register(model_or_iterable, admin_class, **options)

    def has_permission(self, request):
        """Active staff deal admins (and superusers) only; Django's check admits any staff user."""
        from deals.services.roles import is_deal_admin

        user = request.user
        return bool(user.is_active and user.is_staff and is_deal_admin(user))

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def guarded(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied("The admin is for deal admins.")
            return inner(request, *args, **kwargs)

        return guarded

    def login(self, request, extra_context=None):
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied("The admin is for deal admins.")
        return super().login(request, extra_context)


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """simple-history's pages without its revert form: a past version is shown with every field
    read-only and no submit button; any non-GET request to it answers 403 before anything loads."""

    def revert_disabled(self, request, obj=None):
        return True

    def has_change_history_permission(self, request, obj=None):
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied(HISTORY_READ_ONLY)
        request._nhtc_history_read_only = True
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if getattr(request, "_nhtc_history_read_only", False):
            opts = self.model._meta
            fields += [f.name for f in (*opts.fields, *opts.many_to_many)
                       if f.editable and not f.auto_created and f.name not in fields]
        return fields

    def get_inline_instances(self, request, obj=None):
        if getattr(request, "_nhtc_history_read_only", False):
            return []
        return super().get_inline_instances(request, obj)
