"""Home page. The deadlines issue fills it with what is due and overdue."""

from django.shortcuts import render
from django.urls import path

from .access import clerk_required


@clerk_required
def dashboard(request):
    return render(request, "deals/dashboard.html", {})


urlpatterns = [path("", dashboard, name="dashboard")]
