"""Pages the first wave fills in later issues; each shows an honest empty state."""

from django.shortcuts import render

from .access import clerk_required


def _placeholder(title: str, issue: str):
    @clerk_required
    def view(request):
        return render(request, "deals/placeholder.html", {"title": title, "issue": issue})

    return view


urlpatterns = [
]
