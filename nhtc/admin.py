"""The admin site: deal admins only. A signed-in user without admin access
gets 403 instead of the admin's login form."""

from functools import wraps

from django.contrib import admin
from django.core.exceptions import PermissionDenied


class BackOfficeAdminSite(admin.AdminSite):
    site_header = "NHTC deal back office -- administration"
    site_title = "NHTC back office admin"
    index_title = "Deal data"

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
