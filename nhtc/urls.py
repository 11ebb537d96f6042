from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from nhtc import views
from nhtc.security import ThrottledLoginView

urlpatterns = [
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("notices/", include("notices.urls")),
    path("readings/", views.readings, name="readings"),
    path("health/", views.HealthDetailView.as_view(), name="health"),
    path("health/ready/", views.HealthReadyView.as_view(), name="health_ready"),
    path("", include("deals.api.urls")),
    path("", include("deals.urls")),
]
