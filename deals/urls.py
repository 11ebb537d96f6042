from deals.views import closing, company, conversions, dashboard, deadlines, exercises, investors, placeholders, redemptions, transfers

urlpatterns = [
    *dashboard.urlpatterns,
    *deadlines.urlpatterns,
    *company.urlpatterns,
    *placeholders.urlpatterns,
    *conversions.urlpatterns,
    *exercises.urlpatterns,
    *redemptions.urlpatterns,
    *investors.urlpatterns,
    *closing.urlpatterns,
    *transfers.urlpatterns,
]
