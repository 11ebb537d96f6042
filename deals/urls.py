from deals.views import (
    captable,
    closing,
    company,
    conversions,
    dashboard,
    deadlines,
    exercises,
    investors,
    ledger,
    profile,
    redemptions,
    transfers,
)

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
    *closing.urlpatterns,
    *transfers.urlpatterns,
]
