from deals.views import company, conversions, dashboard, exercises, investors, placeholders, redemptions

urlpatterns = [
    *dashboard.urlpatterns,
    *company.urlpatterns,
    *placeholders.urlpatterns,
    *conversions.urlpatterns,
    *exercises.urlpatterns,
    *redemptions.urlpatterns,
    *investors.urlpatterns,
]
