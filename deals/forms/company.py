"""Company-side forms: registration, suspensions, liquidated damages, first
refusal, Events of Default, outbound notices and claims. They turn input
into domain types (Decimal, date, model instances) and never save; the
contract checks are the services'."""

from __future__ import annotations

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms

from deals.forms.fields import SafeForm, SafeModelForm
from deals.forms.instruments import InstrumentField, InvestorField
from deals.models import (
    EventOfDefault,
    ExcusedDelay,
    Financing,
    IndemnificationClaim,
    OfferResponse,
    OutboundNotice,
    Transfer,
)
from deals.services.company.defaults import KIND_CHOICES
from deals.services.company.outbound import KINDS as NOTICE_KINDS
from deals.terms import rofr

DATE = forms.DateInput(attrs={"type": "date"})
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0")}


def _helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    if layout:
        helper.layout = Layout(*layout)
    return helper


def _row(*names, width=4):
    return Row(*[Column(n, css_class=f"col-md-{width}") for n in names])


class RegistrationStatementForm(SafeForm):
    """RRA 2(a)(i), 3(c), 4(a): the statement's dates and shares."""

    sec_file_number = forms.CharField(max_length=50, required=False, label="SEC file number")
    anticipated_filing_date = forms.DateField(
        widget=DATE, required=False, help_text="RRA 3(c), 4(a): the checklist dates run back from it."
    )
    requested_information_received = forms.DateField(
        widget=DATE,
        required=False,
        label="Requested Information asked of investors",
        help_text="RRA 4(a): at least 10 days before the first anticipated filing date.",
    )
    counsel_review_sent = forms.DateField(
        widget=DATE,
        required=False,
        label="Draft sent to investors' counsel",
        help_text="RRA 3(c): not less than 3 business days before filing.",
    )
    filed_date = forms.DateField(widget=DATE, required=False)
    effective_date = forms.DateField(widget=DATE, required=False, help_text="RRA 1: the Effective Date.")
    shares_registered = forms.IntegerField(min_value=0, initial=0, help_text="Shares covered by the statement as filed.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            _row("sec_file_number", "anticipated_filing_date", "shares_registered"),
            _row("requested_information_received", "counsel_review_sent"),
            _row("filed_date", "effective_date"),
        )

    def clean(self):
        data = super().clean()
        filed, effective = data.get("filed_date"), data.get("effective_date")
        if effective and not filed:
            self.add_error("effective_date", "A statement cannot be declared effective before it is filed.")
        elif effective and filed and effective < filed:
            self.add_error("effective_date", f"Effective {effective.isoformat()} is before the filing date {filed.isoformat()}.")
        return data


class AmendmentForm(SafeForm):
    """RRA 2(a)(ii): filing and effectiveness of an amendment or Additional Registration Statement."""

    filed_date = forms.DateField(widget=DATE, required=False)
    effective_date = forms.DateField(widget=DATE, required=False)
    shares_added = forms.IntegerField(min_value=0, initial=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_row("filed_date", "effective_date", "shares_added"))


class SuspensionForm(SafeForm):
    """RRA 3(h): a Potential Material Event notice and the suspension it starts."""

    notice_given = forms.BooleanField(
        required=False,
        initial=True,
        label="Notice of the Potential Material Event was given",
        help_text="RRA 3(h): at least 2 business days' notice of its existence (not its substance).",
    )
    notice_date = forms.DateField(
        widget=DATE, required=False, label="Notice date",
        help_text="The day it was given; or, when the app sends it, the day it is sent.",
    )
    notice_method = forms.ChoiceField(
        required=False,
        choices=[("", "Given outside the app (the date above is when it was given)"), *OutboundNotice.Method.choices],
        label="Sent by (SPA 10)",
        help_text="Sent from here to every Investor: the notice counts from the date SPA 10 deems it given to the last of them.",
    )
    notice_unlawful = forms.BooleanField(
        required=False,
        label="Notice would have been unlawful",
        help_text="RRA 3(h) proviso: notice is owed only 'if lawful to do so'.",
    )
    start_date = forms.DateField(widget=DATE, label="First day of the suspension")
    end_date = forms.DateField(widget=DATE, label="Last day of the suspension", help_text="Both days are included.")
    reason = forms.CharField(max_length=300, required=False, help_text="Internal note (not the substance sent to investors).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            _row("notice_given", "notice_date", "notice_unlawful"),
            _row("notice_method"),
            _row("start_date", "end_date"),
            "reason",
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", f"The suspension ends {end.isoformat()}, before it starts {start.isoformat()}.")
        if data.get("notice_given") and not data.get("notice_date"):
            self.add_error("notice_date", "Give the date the notice was given, or untick 'notice was given'.")
        if not data.get("notice_given"):
            data["notice_date"] = None
            data["notice_method"] = ""
        data["notice_required"] = not data.get("notice_unlawful")
        return data


def _among(investor, allowed, why: str):
    """An investor typed by name (issue 17) must still be one the form offers: the field no longer
    lists them, so the refusal names the investor and the clause."""
    if investor is not None and allowed is not None and not allowed.filter(pk=investor.pk).exists():
        raise forms.ValidationError(f"{investor.legal_name} {why}")
    return investor


class ShareSaleForm(SafeForm):
    """RRA 2(b)(iii): an investor's sale of Conversion Shares (Held Shares Value, FIFO)."""

    investor = InvestorField(required=True)  # by name with suggestions: no <select> of every investor (issue 17)
    sale_date = forms.DateField(widget=DATE)
    shares = forms.IntegerField(min_value=1)

    def __init__(self, *args, investors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.investors = investors
        self.helper = _helper(_row("investor", "sale_date", "shares"))

    def clean_investor(self):
        return _among(self.cleaned_data.get("investor"), self.investors,
                      "is not a Buyer of this financing, so has no Conversion Shares to sell (RRA 2(b)(iii)).")


class ExcusedDelayForm(SafeForm):
    """RRA 2(b)(vi)(i), RRA 9: days of a delay in effectiveness on which no Periodic Amount is payable."""

    cause = forms.ChoiceField(choices=ExcusedDelay.Cause.choices)
    investor = InvestorField(
        help_text="RRA 2(b)(vi)(i): the Initial Investor whose act or failure caused the delay (its amounts only). "
        "Leave empty for RRA 9 (every investor).",
    )
    transfer = forms.ModelChoiceField(queryset=Transfer.objects.none(), required=False, help_text="RRA 9: the assignment.")
    first_day = forms.DateField(widget=DATE)
    last_day = forms.DateField(widget=DATE)
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, investors=None, transfers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.investors = investors
        self.fields["transfer"].queryset = transfers if transfers is not None else Transfer.objects.none()
        self.helper = _helper(_row("cause", "investor", "transfer"), _row("first_day", "last_day"), "reason")

    def clean_investor(self):
        return _among(self.cleaned_data.get("investor"), self.investors,
                      "is not an Initial Investor of this financing (RRA 2(b)(vi)(i)).")


class WithdrawForm(SafeForm):
    reason = forms.CharField(max_length=500)


class MarkPaidForm(SafeForm):
    """RRA 2(b)(iv): payment of one Periodic Amount."""

    lateness = forms.CharField(widget=forms.HiddenInput)
    trigger_date = forms.DateField(widget=forms.HiddenInput)
    computation_date = forms.DateField(widget=forms.HiddenInput)
    paid_date = forms.DateField(widget=DATE)
    reference = forms.CharField(max_length=200, required=False)


class StatementForm(SafeForm):
    """RRA 2(b)(iv): a monthly statement for one investor."""

    month = forms.DateField(widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"), input_formats=["%Y-%m", "%Y-%m-%d"])


class _TermsFields(SafeForm):
    market_price_pct = forms.DecimalField(
        required=False,
        max_digits=7,
        decimal_places=4,
        min_value=Decimal("0.0001"),
        label="Price as % of market",
        help_text="e.g. 75 for 75% of the market price (SPA 4(j)(v)(x)).",
    )
    fixed_price = forms.DecimalField(required=False, max_digits=12, decimal_places=4, min_value=Decimal("0.0001"), label="Fixed price ($)")
    warrant_exercise_price = forms.DecimalField(
        required=False, max_digits=12, decimal_places=4, min_value=Decimal("0.0001"), label="Warrant exercise price ($)"
    )
    warrant_shares_per_dollar = forms.DecimalField(
        required=False,
        max_digits=12,
        decimal_places=6,
        min_value=Decimal("0.000001"),
        label="Warrant shares per $ invested",
        help_text="SPA 4(j)(v)(y).",
    )

    # SPA 4(j)(iii) "more beneficial ... in any respect": the other terms are kept and compared too
    fees_pct = forms.DecimalField(
        required=False, max_digits=7, decimal_places=4, min_value=Decimal("0"), max_value=Decimal("100"),
        label="Fees to the New Investor (% of the amount)", help_text="Fees, commissions or discounts the Company pays it.",
    )
    maturity_months = forms.IntegerField(
        required=False, min_value=1, max_value=600, label="Maturity (months)", help_text="Of the instrument sold, if any.",
    )
    reset = forms.CharField(
        required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}), label="Reset / repricing provision",
        help_text="As written; empty if none.",
    )
    other = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}), label="Any other term",
        help_text="Free text. The app cannot rank it: any change to it before consummation needs a new offer (SPA 4(j)(iii)).",
    )

    def new_terms(self) -> rofr.NewTransactionTerms:
        d = self.cleaned_data
        return rofr.NewTransactionTerms(
            market_price_pct=d.get("market_price_pct"),
            fixed_price=d.get("fixed_price"),
            warrant_exercise_price=d.get("warrant_exercise_price"),
            warrant_shares_per_dollar=d.get("warrant_shares_per_dollar"),
            fees_pct=d.get("fees_pct"),
            reset=(d.get("reset") or "").strip(),
            maturity_months=d.get("maturity_months"),
            other=(d.get("other") or "").strip(),
        )


class OfferForm(_TermsFields):
    """SPA 4(j)(i): a New Transaction Offer with all its terms, and each Buyer's receipt date.

    One "received on" date for every Buyer, and a Buyer's own date where it differs (issue 17: with
    1,000 Buyers a required date field per Buyer, each through crispy's templates, took over a
    second to render and a thousand inputs to fill). The per-Buyer fields stay form fields (same
    names, same validation); the template draws them as one compact table (``buyer_rows``).
    ``cleaned_data["received"]`` is what the service took before: Buyer id -> date typed."""

    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="All the terms of the offer, as sent.")
    amount = forms.DecimalField(label="Amount of New Common Stock offered ($)", **{**MONEY, "min_value": Decimal("0.01")})
    sent_date = forms.DateField(widget=DATE)
    notice_method = forms.ChoiceField(
        required=False,
        choices=[("", "Sent outside the app: type the receipt dates"), *OutboundNotice.Method.choices],
        label="Sent by (SPA 10)",
        help_text="Sent from here: each Buyer's notice is logged and its receipt is the date SPA 10 deems it given "
        "(personal delivery and confirmed fax: the day delivered, if given below; otherwise as SPA 10 says).",
    )
    received_on = forms.DateField(
        widget=DATE, required=False, label="Every Buyer received it on",
        help_text="A Buyer who received it on another day: give its own date in the Buyers' table below. "
        "Leave empty when the offer is sent from the app.",
    )

    def __init__(self, *args, buyers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.buyers = list(buyers)
        for inv in self.buyers:
            self.fields[f"received_{inv.pk}"] = forms.DateField(
                widget=DATE, required=False, label=f"{inv.legal_name}: received on",
            )
        self.helper = _helper(
            "description",
            _row("amount", "sent_date", "notice_method"),
            _row("market_price_pct", "fixed_price", width=3),
            _row("warrant_exercise_price", "warrant_shares_per_dollar", width=3),
            _row("fees_pct", "maturity_months", width=3),
            _row("reset", "other", width=6),
            _row("received_on"),
        )  # the per-Buyer dates: not crispy fields (see buyer_rows)

    @property
    def media(self):
        # the terms' widgets only: the per-Buyer date inputs carry no media, and summing a thousand
        # widgets' media took ~20 ms a page
        return sum((self.fields[n].widget.media for n in self.base_fields), forms.Media())

    def buyer_rows(self):
        """(Buyer, input name, value as typed, error messages) for each Buyer, for the template's table
        (``deals.templatetags.offer_tags``); read straight from the data, no BoundField per Buyer."""
        errors = self.errors if self.is_bound else {}
        for inv in self.buyers:
            field = f"received_{inv.pk}"
            name = self.add_prefix(field)
            value = self.data.get(name, "") if self.is_bound else self.initial.get(field, "")
            yield inv, name, value.isoformat() if hasattr(value, "isoformat") else (value or ""), errors.get(field, ())

    def own_dates_given(self) -> int:
        """How many Buyers have a date of their own typed (the table opens when any has, or has an error)."""
        return sum(1 for inv in self.buyers if (self.data.get(self.add_prefix(f"received_{inv.pk}")) or "").strip())

    def clean(self):
        data = super().clean()
        sent, every = data.get("sent_date"), data.get("received_on")
        if every and sent and every < sent:
            self.add_error("received_on", f"Received {every.isoformat()}, before it was sent {sent.isoformat()}.")
            every = None
        received, missing = {}, []
        for inv in self.buyers:
            own = data.get(f"received_{inv.pk}")
            if own and sent and own < sent:
                self.add_error(f"received_{inv.pk}", f"Received {own.isoformat()}, before it was sent {sent.isoformat()}.")
            day = own or every
            if day:
                received[inv.pk] = day
            else:
                missing.append(inv.legal_name)
        if missing and not data.get("notice_method") and "received_on" not in self.errors:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            self.add_error("received_on", "Give the receipt date, or choose how the app sends the offer (SPA 10); "
                                          f"no date for {shown}.")
        data["received"] = received
        return data


class AnswerForm(SafeForm):
    """SPA 4(j)(i), (iv): a Buyer's written answer."""

    response = forms.ModelChoiceField(queryset=OfferResponse.objects.none(), label="Buyer")
    answer = forms.ChoiceField(choices=[c for c in OfferResponse.Answer.choices if c[0] != "pending"])
    answered_date = forms.DateField(widget=DATE, label="Answer received on")
    amount_exercised = forms.DecimalField(required=False, label="Amount exercised ($, partial only)", **MONEY)
    additional_requested = forms.DecimalField(
        required=False, label="Declining Buyers' parts asked for ($)", help_text="SPA 4(j)(iv): full exercisers only.", **MONEY
    )

    def __init__(self, *args, offer=None, **kwargs):
        super().__init__(*args, **kwargs)
        if offer is not None:
            self.fields["response"].queryset = offer.responses.select_related("investor")
            self.fields["response"].label_from_instance = lambda r: f"{r.investor} (answer due {r.answer_due.isoformat()})"
        self.helper = _helper(_row("response", "answer", "answered_date"), _row("amount_exercised", "additional_requested", width=6))

    def clean(self):
        data = super().clean()
        if data.get("answer") == OfferResponse.Answer.PARTIAL and not data.get("amount_exercised"):
            self.add_error("amount_exercised", "A partial exercise needs the amount exercised.")
        data["amount_exercised"] = data.get("amount_exercised") or Decimal(0)
        data["additional_requested"] = data.get("additional_requested") or Decimal(0)
        return data


class ConsummationForm(_TermsFields):
    """SPA 4(j)(ii), (iii): consummation with the New Investor and the final terms."""

    consummated_date = forms.DateField(widget=DATE)
    new_financing = forms.ModelChoiceField(
        queryset=Financing.objects.none(),
        required=False,
        label="New Transaction financing",
        help_text="SPA 4(j): if the New Transaction is recorded as a financing of its own, pick it -- its terms in force "
        "on the consummation date are the final terms (the fields below are then not used).",
    )

    def __init__(self, *args, offer=None, **kwargs):
        super().__init__(*args, **kwargs)
        if offer is not None:
            self.fields["new_financing"].queryset = Financing.objects.filter(issuer_id=offer.financing.issuer_id).exclude(
                pk=offer.financing_id
            )
        self.helper = _helper(
            _row("consummated_date", "new_financing"),
            _row("market_price_pct", "fixed_price", width=3),
            _row("warrant_exercise_price", "warrant_shares_per_dollar", width=3),
            _row("fees_pct", "maturity_months", width=3),
            _row("reset", "other", width=6),
        )


class DefaultForm(SafeForm):
    """Debenture 10(a)-(k): a failure that is or may become an Event of Default."""

    kind = forms.ChoiceField(choices=KIND_CHOICES, label="Clause")
    # by number with suggestions: no <select> of every Debenture (issue 17); any status (an event may predate a conversion)
    debenture = InstrumentField(kind="debenture", open_only=False, required=False,
                                help_text="The Holder's Debenture, by number (e.g. D-7).")
    occurred_date = forms.DateField(widget=DATE, label="Date of the failure / event")
    written_notice_date = forms.DateField(widget=DATE, required=False, help_text="10(e): the Holder's written notice.")
    proposed_sale_date = forms.DateField(widget=DATE, required=False, help_text="10(i): date of a proposed sale under the judgment.")
    judgment_total = forms.DecimalField(required=False, label="Judgments in aggregate ($)", help_text="10(i).", **MONEY)
    instituted_by_company = forms.BooleanField(required=False, help_text="10(j): proceedings instituted by the Company.")
    company_acquiesced = forms.BooleanField(required=False, help_text="10(j): the Company approved, consented or acquiesced.")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, debentures=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.debentures = debentures  # None: any Debenture
        self.helper = _helper(
            _row("kind", "debenture", "occurred_date"),
            _row("written_notice_date", "proposed_sale_date", "judgment_total"),
            _row("instituted_by_company", "company_acquiesced", width=6),
            "description",
        )


    def clean_debenture(self):
        deb = self.cleaned_data.get("debenture")
        if deb is not None and self.debentures is not None and not self.debentures.filter(pk=deb.pk).exists():
            raise forms.ValidationError(f"{deb.number} is not a Debenture this register covers (Debenture 10).")
        return deb


class DefaultActionForm(SafeForm):
    """One step on an event: the Holder's notice, cure, written waiver or acceleration.

    The step is the URL the form is posted to (one button each); ``step`` tells the
    form which fields that step needs."""

    STEPS = {"notice": "Holder's written notice (10(e))", "cure": "Cured", "waive": "Waived in writing by the Holder",
             "accelerate": "Holder accelerates"}  # fmt: skip
    on = forms.DateField(widget=DATE, label="Date")
    waived_by = forms.CharField(max_length=200, required=False, label="Waiver signed by", help_text="Waiver only.")
    reference = forms.CharField(max_length=200, required=False, label="Waiver document", help_text="Waiver only: letter / reference.")

    def __init__(self, *args, step: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        self.helper = _helper(_row("on"), _row("waived_by", "reference", width=6))

    def clean(self):
        data = super().clean()
        if self.step == "waive":
            for f in ("waived_by", "reference"):
                if not (data.get(f) or "").strip():
                    self.add_error(f, "Debenture 10: a waiver must be in writing by the Holder -- who signed it and which document.")
        return data


class OutboundNoticeForm(SafeForm):
    """SPA 10: a notice the company sends."""

    investor = InvestorField(required=True)  # by name with suggestions (issue 17)
    kind = forms.ChoiceField(choices=NOTICE_KINDS)
    subject = forms.CharField(max_length=200)
    method = forms.ChoiceField(choices=OutboundNotice.Method.choices)
    sent_date = forms.DateField(widget=DATE, help_text="Handed over, faxed, deposited in the mail or given to the courier.")
    delivered_date = forms.DateField(widget=DATE, required=False, help_text="Personal delivery: date on the receipt.")
    related_object = forms.CharField(max_length=100, required=False, help_text="e.g. 'redemption 4'.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_row("investor", "kind", "method"), "subject", _row("sent_date", "delivered_date", "related_object"))


class AddressChangeForm(SafeForm):
    """SPA 10: an investor designates a new address by 10 days' advance notice."""

    investor = InvestorField(required=True)  # by name with suggestions (issue 17)
    notice_method = forms.ChoiceField(choices=OutboundNotice.Method.choices, label="Change notice sent by")
    notice_sent_date = forms.DateField(widget=DATE)
    new_address = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    new_fax = forms.CharField(max_length=50, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_row("investor", "notice_method", "notice_sent_date"), _row("new_address", "new_fax", width=6))


class ClaimForm(SafeModelForm):
    """Indemnification 3-4; RRA 6(b): a claim and its defense."""

    class Meta:
        model = IndemnificationClaim
        fields = [
            "source", "claimant", "indemnifying_party", "conduct", "notice_date", "defense_assumed",
            "defense_assumed_by", "counsel", "amount_incurred", "amount_reimbursed",
        ]  # fmt: skip
        widgets = {"notice_date": DATE, "conduct": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            _row("source", "claimant", "indemnifying_party"),
            "conduct",
            _row("notice_date", "defense_assumed", "defense_assumed_by"),
            _row("counsel", "amount_incurred", "amount_reimbursed"),
        )

    def clean(self):
        data = super().clean()
        for f in ("amount_incurred", "amount_reimbursed"):
            if data.get(f) is not None and data[f] < 0:
                self.add_error(f, "Amounts cannot be negative.")
        return data


STATUS_LABELS = dict(EventOfDefault.Status.choices)
