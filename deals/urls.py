from deals.views import captable, company, conversions, dashboard, deadlines, exercises, investors, ledger, profile, redemptions

urlpatterns = [
    *dashboard.urlpatterns,
    *deadlines.urlpatterns,
    *company.urlpatterns,
    *conversions.urlpatterns,
    *exercises.urlpatterns,
    *redemptions.urlpatterns,
    *investors.urlpatterns,
    *ledger.urlpatterns,
    *profile.urlpatterns,
    *captable.urlpatterns,
]
