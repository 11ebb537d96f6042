from deals.views import dashboard, placeholders

urlpatterns = [
    *dashboard.urlpatterns,
    *placeholders.urlpatterns,
]
