"""Admin forms: plain-word validation for the deal data a deal admin types in.

Outstanding amounts (principal outstanding, liquidation preference
outstanding, warrant shares remaining) are not fields here: on creation they
equal the original amount; afterwards the workflows keep them. An original
amount may be corrected only while nothing has been converted, redeemed or
exercised (then the outstanding amount follows it).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import ValidationError

from deals.forms.fields import SafeForm, SafeModelForm
from deals.models import ApprovalConsent, BusinessDate, DealTermsVersion, Debenture, Investor, PreferredHolding, SuspensionPeriod, Warrant
from deals.terms.params import GROUP_LABELS, KIND_GROUPS, DealTerms, fields_for, group_of
from deals.terms.warrants import warrant_expiry

DENOMINATION = Decimal("100000")
MAX_PRICE_FILE_BYTES = 20 * 1024 * 1024


from nhtc.formatting import money as _money  # noqa: E402 -- the one money formatter


def _terms_on(financing, day):
    """The financing's terms in force on ``day`` (``NoTermsInForce`` is a ValidationError)."""
    from deals.selectors.terms import terms_in_force

    return terms_in_force(financing=financing, day=day).terms


class DebentureAdminForm(SafeModelForm):
    class Meta:
        model = Debenture
        fields = ("financing", "investor", "number", "principal", "dated_date", "issue_date", "closing_date", "maturity_date",
                  "interest_paid_through")

    def clean_principal(self) -> Decimal:
        principal = self.cleaned_data["principal"]
        if principal <= 0:
            raise ValidationError(f"Principal must be positive; {_money(principal)} is not.")
        if principal % DENOMINATION:
            raise ValidationError(
                f"Principal must be a multiple of $100,000 (Debenture 1: denominations of US$100,000 and "
                f"integral multiples); {_money(principal)} is not."
            )
        return principal

    def clean(self):
        data = super().clean()
        issue, maturity = data.get("issue_date"), data.get("maturity_date")
        if issue and maturity and maturity <= issue:
            self.add_error(
                "maturity_date",
                f"The maturity date {maturity.isoformat()} must be after the date of initial issuance {issue.isoformat()}.",
            )
        dated = data.get("dated_date")
        if dated and maturity and maturity <= dated:
            self.add_error(
                "dated_date",
                f"The Debenture's date {dated.isoformat()} must be before its maturity date {maturity.isoformat()}.",
            )
        principal = data.get("principal")
        inst = self.instance
        if principal is not None and not self.errors.get("principal"):
            if inst.pk is None:
                inst.principal_outstanding = principal
            elif principal != inst.principal:
                if inst.principal_outstanding != inst.principal:
                    self.add_error(
                        "principal",
                        f"The principal cannot change now: {_money(inst.principal - inst.principal_outstanding)} "
                        f"has been converted or redeemed (outstanding {_money(inst.principal_outstanding)} is kept "
                        "by the workflows).",
                    )
                else:
                    inst.principal_outstanding = principal
        return data


class PreferredHoldingAdminForm(SafeModelForm):
    class Meta:
        model = PreferredHolding
        fields = ("financing", "investor", "certificate_number", "shares", "liquidation_preference", "purchase_price",
                  "closing_date", "rule_144_from")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("liquidation_preference", "purchase_price"):
            if name in self.fields:
                self.fields[name].required = False
        if "liquidation_preference" in self.fields:
            self.fields["liquidation_preference"].help_text = (
                "Shares x stated value ($1,000, SPA 1(b)(iv)); left empty, it is computed."
            )
        if "purchase_price" in self.fields:
            self.fields["purchase_price"].help_text = "Left empty, it equals the liquidation preference."

    def clean(self):
        data = super().clean()
        shares, closing = data.get("shares"), data.get("closing_date")
        if not shares:
            return data
        financing = data.get("financing") or getattr(self.instance, "financing", None)
        if not (closing and financing):
            return data
        try:
            stated = _terms_on(financing, closing).preferred_stated_value
        except ValidationError as exc:
            self.add_error("closing_date", exc)
            return data
        expected = (Decimal(shares) * stated).quantize(Decimal("0.01"))
        lp = data.get("liquidation_preference")
        if lp in (None, ""):
            lp = data["liquidation_preference"] = expected
        elif lp != expected:
            self.add_error(
                "liquidation_preference",
                f"The liquidation preference must be shares x stated value (SPA 1(b)(iv)): {shares:,} x "
                f"{_money(stated)} = {_money(expected)}, not {_money(lp)}.",
            )
            return data
        if data.get("purchase_price") in (None, ""):
            data["purchase_price"] = lp
        elif data["purchase_price"] <= 0:
            self.add_error("purchase_price", f"The purchase price must be positive, not {_money(data['purchase_price'])}.")
        inst = self.instance
        if inst.pk is None:
            inst.liquidation_preference_outstanding = lp
        elif lp != inst.liquidation_preference:
            if inst.liquidation_preference_outstanding != inst.liquidation_preference:
                self.add_error(
                    "shares",
                    "The shares cannot change now: "
                    f"{_money(inst.liquidation_preference - inst.liquidation_preference_outstanding)} of liquidation "
                    "preference has been converted or redeemed (kept by the workflows).",
                )
            else:
                inst.liquidation_preference_outstanding = lp
        return data


class WarrantAdminForm(SafeModelForm):
    class Meta:
        model = Warrant
        fields = ("financing", "investor", "number", "shares", "exercise_price", "issue_date", "expiry_date", "sizing_reason")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "sizing_reason" in self.fields:
            reason = self.fields["sizing_reason"]
            # keep the attributes the admin gave the field and its aria-label: in the investor page's warrant
            # rows (a tabular inline) the column header is no <label>, and an unlabelled textarea fails axe
            label = reason.widget.attrs.get("aria-label") or str(reason.label or "Sizing reason")
            reason.widget = forms.Textarea(attrs={**reason.widget.attrs, "rows": 2, "aria-label": label})
        if "expiry_date" in self.fields:
            self.fields["expiry_date"].required = False
            self.fields["expiry_date"].help_text = (
                "SPA 4(h): the last day of the month of the 5th anniversary of the Closing; left empty, it is computed."
            )

    def clean(self):
        data = super().clean()
        issue = data.get("issue_date")
        financing = data.get("financing") or getattr(self.instance, "financing", None)
        if issue and not data.get("expiry_date") and financing is not None:
            try:
                data["expiry_date"] = warrant_expiry(issue, _terms_on(financing, issue))
            except ValidationError as exc:
                self.add_error("issue_date", exc)
                return data
        expiry = data.get("expiry_date")
        if issue and expiry and expiry <= issue:
            self.add_error("expiry_date", f"The expiry {expiry.isoformat()} must be after the issue date {issue.isoformat()}.")
        shares = data.get("shares")
        if shares is not None and shares <= 0:
            self.add_error("shares", f"The number of warrant shares must be positive, not {shares}.")
            return data
        inst = self.instance
        if shares:
            if inst.pk is None:
                inst.shares_remaining = shares
            elif shares != inst.shares:
                if inst.shares_remaining != inst.shares:
                    self.add_error(
                        "shares",
                        f"The share count cannot change now: {inst.shares - inst.shares_remaining:,} shares have been "
                        "exercised (shares remaining are kept by the workflows).",
                    )
                else:
                    inst.shares_remaining = shares
        investor_id = data["investor"].pk if data.get("investor") is not None else inst.investor_id  # inline: the parent
        if not self.errors and issue and financing is not None and investor_id is not None:
            self._check_sizing(data, financing, issue, investor_id)
        return data

    def _check_sizing(self, data, financing, issue, investor_id: int) -> None:
        """SPA 4(h): the shares (20% of the Purchase Price / 110% of the closing bid on the trading day
        before the Closing Date, rounded down), the exercise price (that 110%) and the expiry (last day of
        the month of the 5th anniversary) must be the engine's figures; a different figure, or one that
        cannot be checked, needs a reason, which is kept on the warrant (and in its history)."""
        from deals.selectors.derived import warrant_sizing
        from nhtc.formatting import price as _price
        from nhtc.formatting import shares as _shares

        sizing = warrant_sizing(financing=financing, investor_id=investor_id, closing_date=issue)
        if sizing is None:  # no warrant terms in this financing (a debenture issue)
            self.instance.sizing_check = {}
            return
        reason = (data.get("sizing_reason") or "").strip()
        data["sizing_reason"] = reason
        differences: dict[str, str] = {}
        w = sizing.expected
        if w is None:
            differences["__all__"] = f"The SPA 4(h) sizing cannot be checked: {sizing.problem}."
        else:
            working = (
                f"20% of the Purchase Price {_money(w.purchase_price)} = {_money(w.coverage_amount)} / 110% of the closing bid "
                f"{_price(w.closing_bid)} on {w.pricing_day.isoformat()} = {_price(w.exercise_price_exact)}"
            )
            if data.get("shares") != w.shares:
                differences["shares"] = (
                    f"SPA 4(h) sizes this warrant at {_shares(w.shares)} shares ({working}, rounded down), not "
                    f"{_shares(data.get('shares'))}."
                )
            if data.get("exercise_price") is not None and data["exercise_price"] != w.exercise_price:
                differences["exercise_price"] = (
                    f"SPA 4(h) sets the exercise price at 110% of the closing bid {_price(w.closing_bid)} on "
                    f"{w.pricing_day.isoformat()} = {_price(w.exercise_price)}, not {_price(data['exercise_price'])}."
                )
            if data.get("expiry_date") != w.expiry:
                differences["expiry_date"] = (
                    f"SPA 4(h): the warrant expires on the last day of the month of the 5th anniversary of the Closing "
                    f"Date {issue.isoformat()} = {w.expiry.isoformat()}, not {data['expiry_date'].isoformat()}."
                )
        if differences and not reason:
            for name, message in differences.items():
                self.add_error(None if name == "__all__" else name, message + " Enter the SPA 4(h) figure, or give a sizing "
                               "reason (kept with the warrant) to record a different one.")
            return
        self.instance.sizing_check = {
            "clause": "SPA 4(h)",
            "expected": w.as_dict() if w is not None else None,
            "problem": sizing.problem,
            "differences": differences,
            "reason": reason if differences else "",
        }


TERM_FIELDS = DealTerms.field_names()


class DealTermsVersionAdminForm(SafeModelForm):
    """A new terms version: every DealTerms field (prefilled from the latest version by the
    admin), the date it takes effect from and why. Versions are never edited afterwards."""

    financing_from_request = None  # set by the admin from ?financing=

    acknowledge_records = forms.BooleanField(
        required=False, label="I acknowledge the records dated on or after the effective date",
        help_text="They keep the terms version they used; the new version governs only what is made from now on.",
    )
    instrument = forms.FileField(
        required=False, label="Written instrument of amendment (RRA 10 / SPA 9(i))",
        help_text="Needed when a contract term changes (docs/terms.md lists which terms are clerical).",
    )
    instrument_date = forms.DateField(required=False, label="Date of the instrument",
                                      help_text="Holdings are counted on this date.")
    company_consents = forms.BooleanField(required=False, label="The Company signed the instrument")
    # Chosen by name through the admin's autocomplete (issue 17): a multi-select of every investor was
    # 1,000 options at (b). The widget renders only the chosen ones; suggestions come from
    # /admin/autocomplete/ (InvestorAdmin.search_fields), keyed on ApprovalConsent.investor -- the
    # row each signature becomes.
    consenting_investors = forms.ModelMultipleChoiceField(
        queryset=Investor.objects.order_by("legal_name"), required=False, label="Holders who signed",
        widget=AutocompleteSelectMultiple(ApprovalConsent._meta.get_field("investor"), admin.site),
        help_text="RRA 10: the Company and holders of 67% of the liquidation preference (Series J); "
        "SPA 9(i): every holder of the financing's Debentures. Type part of a name to find a holder.",
    )

    class Meta:
        model = DealTermsVersion
        fields = ("financing", "effective_from", "reason", *TERM_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "financing" in self.fields:
            self.fields["financing"].help_text = "The financing these terms govern (a version never spans financings)."
            if self.financing_from_request is not None:
                self.fields["financing"].initial = self.financing_from_request.pk

    def clean(self):
        data = super().clean()
        financing = data.get("financing")
        if self.instance.pk or financing is None:
            return data
        # ranges and cross-field rules: DealTermsVersion.clean (params.term_problems), run by _post_clean
        carried = set(fields_for(financing.terms_kind))
        latest = DealTermsVersion.objects.filter(financing=financing).order_by("-version").first()
        if latest is None:
            return data
        eff = data.get("effective_from")
        if eff and eff < latest.effective_from:
            self.add_error(
                "effective_from",
                f"A new version of {financing} must take effect on or after its version {latest.version}'s date "
                f"{latest.effective_from.isoformat()}; {eff.isoformat()} is earlier. Records already made keep the "
                "version they used.",
            )
        changed = [n for n in carried if n in data and _norm(data[n]) != _norm(getattr(latest, n))]
        if not changed and not self.errors:
            raise ValidationError(
                f"No term differs from {financing}'s version {latest.version}; change at least one value or cancel."
            )
        if eff and not self.errors:
            self._check_records(financing, eff, data)
            self._check_consents(financing, latest, data)
        return data

    def _check_records(self, financing, eff, data) -> None:
        """Issue 12: a version effective on or before recorded records lists them and needs the box ticked."""
        from deals.selectors.terms import records_on_or_after

        self.records_after = records_on_or_after(financing=financing, day=eff)
        if self.records_after and not data.get("acknowledge_records"):
            shown = "; ".join(f"{r.label} (terms v{r.version})" for r in self.records_after[:10])
            more = f" and {len(self.records_after) - 10} more" if len(self.records_after) > 10 else ""
            self.add_error(
                "acknowledge_records",
                f"{len(self.records_after)} record(s) of {financing} are dated on or after {eff.isoformat()} and "
                f"would have been priced by this version: {shown}{more}. They keep the version they used; tick the box "
                "to go on.",
            )

    def _check_consents(self, financing, latest, data) -> None:
        """RRA 10 / SPA 9(i): a contract term changed needs the instrument and consents that pass."""
        from deals.services.approvals import consent_check
        from deals.services.errors import WorkflowError
        from deals.terms.params import contract_terms_changed

        new = {n: data.get(n) for n in fields_for(financing.terms_kind)}
        self.contract_terms = contract_terms_changed(latest.term_values(), new, financing.terms_kind)
        if not self.contract_terms:
            return
        names = ", ".join(self.contract_terms[:6]) + (" ..." if len(self.contract_terms) > 6 else "")
        if not data.get("instrument"):
            self.add_error("instrument", f"This version changes contract term(s) {names}: attach the written instrument.")
        if not data.get("instrument_date"):
            self.add_error("instrument_date", "Give the instrument's date: the holdings are counted on it.")
            return
        try:
            result, _holdings = consent_check(
                financing=financing, day=data["instrument_date"],
                signed={i.pk for i in data.get("consenting_investors") or ()},
                company_consents=bool(data.get("company_consents")))
        except WorkflowError as err:
            self.add_error("consenting_investors", err.message)
            return
        if not result.passes:
            self.add_error("consenting_investors", " ".join(result.reasons) + " The version cannot take effect.")


    def _post_clean(self):
        # A version carries only its financing's kind of terms: the rest are empty, not defaults.
        financing = self.cleaned_data.get("financing")
        if financing is not None and not self.instance.pk:
            carried = set(fields_for(financing.terms_kind))
            for name in TERM_FIELDS:
                if name not in carried:
                    setattr(self.instance, name, None)
        super()._post_clean()


def _norm(v):
    if isinstance(v, Decimal):
        return v.normalize()
    return v


def term_groups(kind: str | None = None) -> list[tuple[str, list[str]]]:
    """DealTerms fields grouped by what they govern (``params.group_of``), in declaration order;
    with ``kind``, only the groups a financing of that kind carries."""
    groups = [g for g in GROUP_LABELS if kind is None or g in KIND_GROUPS[kind]]
    return [(GROUP_LABELS[g], [n for n in TERM_FIELDS if group_of(n) == g]) for g in groups]


class PriceImportForm(SafeForm):
    file = forms.FileField(
        label="CSV file",
        help_text="Header date,closing_bid,closing_price,source (closing_price optional); ISO dates; "
        "NYSE trading days only; prices with at most 4 decimal places.",
    )
    dry_run = forms.BooleanField(required=False, label="Check only (dry run: write nothing)")
    replace = forms.BooleanField(
        required=False,
        label="Replace existing prices for dates already stored",
        help_text="Without this, a date already stored with different figures is refused.",
    )

    def clean_file(self) -> tuple[str, bytes]:
        f = self.cleaned_data["file"]
        if f.size > MAX_PRICE_FILE_BYTES:
            raise ValidationError(
                f"The file is {f.size / 1_048_576:.1f} MB; at most {MAX_PRICE_FILE_BYTES // 1_048_576} MB."
            )
        return f.name, f.read()




class SuspensionPeriodAdminForm(SafeModelForm):
    """A new suspension (RRA 3(h)); the verdict comes from the suspensions service, as on the
    company page, so the admin cannot record a period without it."""

    class Meta:
        model = SuspensionPeriod
        fields = ("statement", "notice_date", "start_date", "end_date", "reason", "notice_required")

    def clean(self):
        from deals.services.company.suspensions import suspension_preview

        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", f"The suspension ends {end.isoformat()}, before it starts {start.isoformat()}.")
            return data
        statement = data.get("statement") or getattr(self.instance, "statement", None)
        if self.instance.pk is None and statement is not None and statement.pk and start and end:
            try:
                suspension_preview(statement=statement, notice_date=data.get("notice_date"), start_date=start,
                                   end_date=end, notice_required=data.get("notice_required", True))
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


class BusinessDateAdminForm(SafeModelForm):
    """The business date (issue 15 item 10): always an explicit date; a move of more than
    ``BUSINESS_DATE_CONFIRM_DAYS`` business days forward needs the confirmation box ticked, and
    the error says what the next sweep would act on (``deals.selectors.business_date``)."""

    confirm_forward = forms.BooleanField(
        required=False, label="I confirm this forward move",
        help_text="Needed when the date moves more than a few business days forward: the next sweep runs as of it.")

    class Meta:
        model = BusinessDate
        fields = ("business_date",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("business_date")
        if field is None:  # shown read-only (the history page)
            return
        field.required = True
        field.error_messages["required"] = "Give the new business date; an empty date never means today."
        field.help_text = "The date the back office treats as today. Sweeps and deadlines count from it."

    def clean(self):
        from django.conf import settings

        from deals.selectors.business_date import sweep_preview
        from deals.services.calendar import business_date
        from deals.terms import calendars

        data = super().clean()
        new = data.get("business_date")
        if new is None:
            return data
        current = business_date()
        limit = settings.BUSINESS_DATE_CONFIRM_DAYS
        if not (calendars.FIRST_DAY <= current <= calendars.LAST_DAY):
            forward = limit + 1 if new > current else 0  # today is outside the calendars: always ask going forward
        else:
            forward = calendars.count_business_days(current, new)
        if forward > limit and not data.get("confirm_forward"):
            preview = sweep_preview(from_day=current, to_day=new)
            self.add_error("confirm_forward", (
                f"Moving the business date from {current.isoformat()} to {new.isoformat()} is {forward:,} business days "
                f"forward (more than {limit}). The next sweep, as of {new.isoformat()}, would act on: "
                + "; ".join(preview.lines()) + ". Tick the box to confirm."))
        return data
