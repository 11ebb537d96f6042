from django.shortcuts import render
from django.urls import path

from deals.views.access import clerk_required

app_name = "notices"


@clerk_required
def notice_list(request):
    return render(request, "deals/placeholder.html", {"title": "Notices", "issue": "notices"})


urlpatterns = [path("", notice_list, name="list")]
