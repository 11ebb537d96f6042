from deals.views import captable, company, conversions, dashboard, deadlines, exercises, investors, placeholders, profile, redemptions

urlpatterns = [
    *dashboard.urlpatterns,
    *deadlines.urlpatterns,
    *company.urlpatterns,
    *placeholders.urlpatterns,
    *conversions.urlpatterns,
    *exercises.urlpatterns,
    *redemptions.urlpatterns,
    *investors.urlpatterns,
    *profile.urlpatterns,
    *captable.urlpatterns,
]
