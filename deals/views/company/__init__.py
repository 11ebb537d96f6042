"""Company-side pages: registration statement and suspensions (RRA 2, 3),
liquidated damages (RRA 2(b)), first refusal and price protection (SPA
4(j)), Events of Default (Debenture 10), outbound notices (SPA 10) and
indemnification claims (Indemnification Agreement; RRA 6).

Clerks read every page; deal admins write. One URL per POST: each form
posts to its own view (form -> one service -> redirect); on bad input the
page is shown again with the values and the service's sentence.
"""

from django.urls import path

from . import claims, damages, defaults, index, notices, offers, registration

urlpatterns = [
    path("company/", index.company_index, name="company_index"),
    # registration statement, amendments, suspensions (RRA 2, 3)
    path("company/registration/", registration.registration_home, name="company_registration_home"),
    path("company/registration/<int:financing_id>/", registration.registration, name="company_registration"),
    path("company/registration/<int:financing_id>/increased/", registration.registration_increased, name="company_registration_increased"),
    path("company/registration/amendments/<int:pk>/", registration.amendment_update, name="company_amendment_update"),
    path("company/registration/<int:financing_id>/suspensions/", registration.suspensions, name="company_suspensions"),
    path("company/registration/<int:financing_id>/suspensions/save/", registration.suspension_save, name="company_suspension_save"),
    path(
        "company/registration/<int:financing_id>/suspensions/preview/",
        registration.suspension_preview_json,
        name="company_suspension_preview",
    ),
    # liquidated damages (RRA 2(b))
    path("company/damages/", damages.damages_home, name="company_damages_home"),
    path("company/damages/<int:financing_id>/", damages.damages, name="company_damages"),
    path("company/damages/<int:financing_id>/investors/<int:investor_id>/", damages.damages_investor, name="company_damages_investor"),
    path("company/damages/<int:financing_id>/excused/", damages.damages_excused, name="company_damages_excused"),
    path(
        "company/damages/<int:financing_id>/excused/<int:pk>/withdraw/",
        damages.damages_excused_withdraw,
        name="company_damages_excused_withdraw",
    ),
    path(
        "company/damages/<int:financing_id>/investors/<int:investor_id>/paid/",
        damages.damages_mark_paid,
        name="company_damages_mark_paid",
    ),
    path(
        "company/damages/<int:financing_id>/investors/<int:investor_id>/statements/",
        damages.damages_statement,
        name="company_damages_statement",
    ),
    # first refusal and price protection (SPA 4(j))
    path("company/offers/", offers.offers, name="company_offers"),
    path("company/offers/new/", offers.offer_new, name="company_offer_new"),
    path("company/offers/<int:restart_of>/restart/", offers.offer_new, name="company_offer_restart"),
    path("company/offers/<int:pk>/", offers.offer_detail, name="company_offer"),
    path("company/offers/<int:pk>/answer/", offers.offer_answer, name="company_offer_answer"),
    path("company/offers/<int:pk>/consummate/", offers.offer_consummate, name="company_offer_consummate"),
    path("company/offers/<int:pk>/protect/", offers.offer_protect, name="company_offer_protect"),
    # Events of Default (Debenture 10)
    path("company/defaults/", defaults.defaults, name="company_defaults"),
    path("company/defaults/<int:pk>/", defaults.default_detail, name="company_default"),
    path("company/defaults/<int:pk>/notice/", defaults.default_notice, name="company_default_notice"),
    path("company/defaults/<int:pk>/cure/", defaults.default_cure, name="company_default_cure"),
    path("company/defaults/<int:pk>/waive/", defaults.default_waive, name="company_default_waive"),
    path("company/defaults/<int:pk>/accelerate/", defaults.default_accelerate, name="company_default_accelerate"),
    # outbound notices and addresses (SPA 10)
    path("company/notices/", notices.notices, name="company_notices"),
    path("company/notices/log/", notices.notice_log, name="company_notice_log"),
    path("company/notices/address/", notices.address_change, name="company_address_change"),
    path("company/notices/deemed-given/", notices.deemed_given_json, name="company_deemed_given"),
    # indemnification claims
    path("company/claims/", claims.claims, name="company_claims"),
    path("company/claims/<int:pk>/", claims.claim_detail, name="company_claim"),
]
