from deals.views import company, conversions, dashboard, deadlines, exercises, investors, redemptions

urlpatterns = [
    *dashboard.urlpatterns,
    *deadlines.urlpatterns,
    *company.urlpatterns,
    *conversions.urlpatterns,
    *exercises.urlpatterns,
    *redemptions.urlpatterns,
    *investors.urlpatterns,
]
