from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from deals.models import DealTermsVersion


@admin.register(DealTermsVersion)
class DealTermsVersionAdmin(SimpleHistoryAdmin):
    list_display = ("version", "effective_from", "reason", "created_by", "created_at")
