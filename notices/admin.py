"""Notices in the admin: read-only (a notice is immutable; corrections are new versions made
on the notice page)."""

from django.contrib import admin

from nhtc.admin import ReadOnlyHistoryAdmin

from .models import Notice


@admin.register(Notice)
class NoticeAdmin(ReadOnlyHistoryAdmin):
    list_display = ("id", "kind", "subject", "investor", "version", "status", "sha256", "rendered_at")
    list_filter = ("kind", "status")
    search_fields = ("subject", "file_name", "sha256")
    list_select_related = ("investor",)
    readonly_fields = [f.name for f in Notice._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
