"""Events of Default (Debenture 10): the register and each event's steps
(the Holder's written notice, cure, written waiver, acceleration), one URL
per step."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from deals.forms import company as f
from deals.models import Debenture, EventOfDefault, Financing
from deals.ordering import natural
from deals.services.calendar import business_date
from deals.services.company import defaults as defaults_svc
from deals.services.obligations import obligations_for
from deals.terms import events as ev

from ._base import apply_errors, company_view, ctx, page_of


@company_view
def defaults(request):
    """Debenture 10: Events of Default register; POST records an event."""
    debentures = Debenture.objects.select_related("investor").order_by(*natural("number"))
    form = f.DefaultForm(request.POST or None, debentures=debentures)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fin = d["debenture"].financing if d["debenture"] else Financing.objects.filter(kind=Financing.Kind.DEBENTURE).order_by("id").first()
        if fin is None:
            form.add_error(None, "No debenture financing is recorded.")
        else:
            try:
                eod = defaults_svc.default_record(financing=fin, user=request.user, as_of=business_date(), **d)
            except ValidationError as err:
                apply_errors(form, err)
            else:
                messages.success(request, f"Recorded {ev.EventOfDefault(eod.kind).clause}.")
                return redirect("company_default", pk=eod.pk)
    qs = EventOfDefault.objects.select_related("debenture__investor", "financing").order_by("-occurred_date", "-id")
    return render(
        request,
        "deals/company/defaults.html",
        ctx(request, "company_defaults", page=page_of(request, qs), form=form, kinds={e.value: e for e in ev.EventOfDefault}),
    )


def _event(pk: int) -> EventOfDefault:
    return get_object_or_404(EventOfDefault.objects.select_related("debenture__investor", "financing"), pk=pk)


def _render_event(request, eod, form=None, *, failed_step: str = ""):
    as_of = business_date()
    form = form or f.DefaultActionForm(initial={"on": as_of})
    state = defaults_svc.assessment(eod, as_of)
    quote = None
    if eod.debenture_id and eod.status == EventOfDefault.Status.OPEN:
        try:
            quote = defaults_svc.acceleration_quote(eod, as_of)
        except ValidationError:
            quote = None
    return render(
        request,
        "deals/company/default_detail.html",
        ctx(
            request,
            "company_defaults",
            eod=eod,
            event=ev.EventOfDefault(eod.kind),
            state=state,
            quote=quote,
            form=form,
            failed_step=failed_step,
            obligations=list(obligations_for(eod)),
        ),
    )


@company_view
@require_GET
def default_detail(request, pk: int):
    """Debenture 10: one event, its cure deadline and, when open, the next steps."""
    return _render_event(request, _event(pk))


def _step(request, pk: int, step: str, run) -> object:
    eod = _event(pk)
    form = f.DefaultActionForm(request.POST, step=step)
    if form.is_valid():
        try:
            run(eod, form.cleaned_data, business_date())
        except ValidationError as err:
            if hasattr(err, "error_dict"):
                form.add_error("on", [m for v in err.error_dict.values() for m in ValidationError(v).messages])
            else:
                form.add_error(None, err)
        else:
            messages.success(request, "Saved.")
            return redirect("company_default", pk=eod.pk)
    return _render_event(request, eod, form, failed_step=step)


@company_view
@require_POST
def default_notice(request, pk: int):
    """Debenture 10(e): the Holder's written notice (starts the cure period)."""
    return _step(
        request, pk, "notice", lambda eod, d, as_of: defaults_svc.default_notice_record(eod=eod, written_notice_date=d["on"], as_of=as_of)
    )


@company_view
@require_POST
def default_cure(request, pk: int):
    """Debenture 10: the event is cured."""
    return _step(request, pk, "cure", lambda eod, d, as_of: defaults_svc.default_cure(eod=eod, cured_date=d["on"], as_of=as_of))


@company_view
@require_POST
def default_waive(request, pk: int):
    """Debenture 10: a waiver in writing by the Holder."""
    return _step(
        request,
        pk,
        "waive",
        lambda eod, d, as_of: defaults_svc.default_waive(
            eod=eod, waived_by=d["waived_by"], waived_date=d["on"], reference=d["reference"], as_of=as_of
        ),
    )


@company_view
@require_POST
def default_accelerate(request, pk: int):
    """Debenture 10: the Holder accelerates (only once the Event of Default exists)."""
    return _step(
        request, pk, "accelerate", lambda eod, d, as_of: defaults_svc.default_accelerate(eod=eod, accelerated_date=d["on"], as_of=as_of)
    )
