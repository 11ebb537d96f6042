"""The user's profile page: personal API tokens (create -- shown once --, list, revoke)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from deals.forms.fields import SafeForm
from deals.services.api_tokens import MAX_TOKENS_PER_USER, api_token_create, api_token_revoke, api_tokens_of
from deals.services.conversions import WorkflowError

from .access import clerk_required


class TokenForm(SafeForm):
    name = forms.CharField(max_length=100, label="What is the token for?",
                           widget=forms.TextInput(attrs={"placeholder": "e.g. transfer agent sync", "class": "form-control"}))


def _page(request, form, *, created=None, status=200):
    return render(request, "deals/profile/tokens.html", {
        "form": form, "tokens": list(api_tokens_of(request.user)), "created": created, "limit": MAX_TOKENS_PER_USER,
    }, status=status)


@require_http_methods(["GET", "POST"])
@clerk_required
def profile_tokens(request):
    if request.method == "GET":
        return _page(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        token, text = api_token_create(user=request.user, name=form.cleaned_data["name"])
    except WorkflowError as err:
        form.add_error("name" if err.field == "name" else None, err.message)
        return _page(request, form, status=400)
    # Rendered, not redirected: the token text is never stored and never shown again.
    response = _page(request, TokenForm(), created={"token": token, "text": text})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@clerk_required
def profile_token_revoke(request, token_key: str):
    try:
        token = api_token_revoke(user=request.user, token_key=token_key, digest_prefix=request.POST.get("digest", ""))
    except WorkflowError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, f"API token '{token.name}' ({token.token_key}...) revoked; requests using it now get 401.")
    return redirect("profile_tokens")


urlpatterns = [
    path("profile/tokens/", profile_tokens, name="profile_tokens"),
    path("profile/tokens/<str:token_key>/revoke/", profile_token_revoke, name="profile_token_revoke"),
]
