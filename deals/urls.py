from deals.views import company, conversions, dashboard, deadlines, exercises, investors, ledger, redemptions

urlpatterns = [
    *dashboard.urlpatterns,
    *deadlines.urlpatterns,
    *company.urlpatterns,
    *conversions.urlpatterns,
    *exercises.urlpatterns,
    *redemptions.urlpatterns,
    *investors.urlpatterns,
    *ledger.urlpatterns,
]
