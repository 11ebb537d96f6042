"""Pages the first wave fills in later issues; each shows an honest empty state."""

from django.shortcuts import render
from django.urls import path

from .access import clerk_required


def _placeholder(title: str, issue: str):
    @clerk_required
    def view(request):
        return render(request, "deals/placeholder.html", {"title": title, "issue": issue})

    return view


urlpatterns = [
    path("deadlines/", _placeholder("Deadlines", "deadline sweeps"), name="deadlines"),
]
