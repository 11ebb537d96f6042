"""The one answer to "which deal terms govern this day": ``terms_in_force``.

Terms belong to a financing (issue 18): a version is in force for its
financing from its ``effective_from`` until the next version of the same
financing takes effect. Every workflow, sweep rule, notice and page finds the
financing from the record it works on (the instrument's financing, the
statement's, the offer's) and asks here. There is one rule for "no version
in force": ``NoTermsInForce``, which names the financing and the date -- never
a silent fallback to the engine's defaults.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from deals.models import DealTermsVersion, Financing
from deals.services.errors import WorkflowError
from deals.terms.params import DealTerms, term_problems


class TermsUnavailable(WorkflowError, ValidationError):
    """The financing's terms cannot be used on the day. A ``WorkflowError`` (conversion,
    exercise and redemption views show it) and a ``ValidationError`` (the company-side
    forms and the admin show it)."""

    code_name = "terms"

    def __init__(self, message: str, *, financing_id: int, day: datetime.date):
        WorkflowError.__init__(self, message, code=self.code_name)
        ValidationError.__init__(self, message, code=self.code_name)
        self.financing_id = financing_id
        self.day = day

    def __str__(self) -> str:
        return self.message


class NoTermsInForce(TermsUnavailable):
    """No terms version of the financing is in force on the day."""

    code_name = "no_terms"


class TermsNotComputable(TermsUnavailable):
    """The version in force holds a value the engine cannot compute with (issue 15 item 13:
    0, a negative, out of range, another kind's term); the message names the version and field."""

    code_name = "bad_terms"


@dataclass(frozen=True)
class TermsInForce:
    """The version row in force and the engine's view of it."""

    version: DealTermsVersion
    terms: DealTerms

    @property
    def financing_id(self) -> int:
        return self.version.financing_id

    def __iter__(self):
        """``version, terms = terms_in_force(...)``."""
        return iter((self.version, self.terms))


def _financing(financing: Financing | int) -> Financing:
    return financing if isinstance(financing, Financing) else Financing.objects.get(pk=financing)


def _in_force_key(v: DealTermsVersion) -> tuple[datetime.date, int]:
    # The rule: the latest effective on or before the day; the higher version wins on the same date.
    return (v.effective_from, v.version)


def terms_in_force(*, financing: Financing | int, day: datetime.date) -> TermsInForce:
    """The version of ``financing``'s terms in force on ``day``: the latest of that
    financing effective on or before it (the higher version wins on the same date).
    Raises ``NoTermsInForce`` naming the financing and the date."""
    financing_id = financing.pk if isinstance(financing, Financing) else int(financing)
    version = (
        DealTermsVersion.objects.filter(financing_id=financing_id, effective_from__lte=day)
        .select_related("financing")
        .order_by("-effective_from", "-version")
        .first()
    )
    if version is None:
        raise _no_terms(_financing(financing), day)
    return TermsInForce(version, _engine_terms(version, day))


def _engine_terms(version: DealTermsVersion, day: datetime.date) -> DealTerms:
    """The engine's view of a version, refused (``TermsNotComputable``) when a term is unusable."""
    problems = term_problems(version.term_values(), version.financing.terms_kind)
    if problems:
        name, text = next(iter(problems.items()))
        label = DealTermsVersion._meta.get_field(name).verbose_name
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise TermsNotComputable(
            f"Deal terms v{version.version} of {version.financing} (effective {version.effective_from.isoformat()}) "
            f"cannot be used: {label} ({name}) {text}{more}. A deal admin must add a corrected version.",
            financing_id=version.financing_id,
            day=day,
        )
    return version.to_terms()


class TermsBook:
    """``terms_in_force`` for many records at once (the sweep): every version of every
    financing read in one query, then the same rule and the same ``NoTermsInForce``
    per (financing, day). Also the terms of a version by id (what priced a record)."""

    def __init__(self) -> None:
        self._by_financing: dict[int, list[DealTermsVersion]] = {}
        self._by_id: dict[int, DealTermsVersion] = {}
        self._terms: dict[int, DealTerms] = {}
        for v in DealTermsVersion.objects.select_related("financing").order_by("financing_id", "effective_from", "version"):
            self._by_financing.setdefault(v.financing_id, []).append(v)
            self._by_id[v.pk] = v

    def _engine(self, v: DealTermsVersion, day: datetime.date | None = None) -> DealTerms:
        if v.pk not in self._terms:
            self._terms[v.pk] = _engine_terms(v, day or v.effective_from)
        return self._terms[v.pk]

    def in_force(self, *, financing: Financing | int, day: datetime.date) -> TermsInForce:
        financing_id = financing.pk if isinstance(financing, Financing) else int(financing)
        found = [v for v in self._by_financing.get(financing_id, ()) if v.effective_from <= day]
        if not found:
            raise _no_terms(_financing(financing), day)
        version = max(found, key=_in_force_key)
        return TermsInForce(version, self._engine(version, day))

    def financings(self) -> list[Financing]:
        """The financings that have terms, oldest first (read with the versions: no query)."""
        return sorted({vs[0].financing.pk: vs[0].financing for vs in self._by_financing.values()}.values(), key=lambda f: f.pk)

    def version(self, version_id: int) -> TermsInForce:
        """The terms of the version a record was priced under (its ``terms_version``)."""
        version = self._by_id.get(version_id) or DealTermsVersion.objects.select_related("financing").get(pk=version_id)
        return TermsInForce(version, self._engine(version))


def _no_terms(financing: Financing, day: datetime.date) -> NoTermsInForce:
    began = [d for d in (financing.agreement_date, financing.initial_closing_date) if d]
    first = (
        DealTermsVersion.objects.filter(financing=financing).order_by("effective_from").values_list("effective_from", flat=True).first()
    )
    when = day.isoformat()
    if began and day < min(began):
        text = (
            f"{when} is before {financing} existed (its agreement or closing is dated {min(began).isoformat()}); "
            "no terms of it can apply on that date."
        )
    elif first is not None:
        text = (
            f"No deal terms version of {financing} is in force on {when}: its first version takes effect "
            f"{first.isoformat()}. A deal admin must add a version effective on or before {when}."
        )
    else:
        text = (
            f"No deal terms version of {financing} is in force on {when}: it has no terms yet. "
            f"A deal admin must add a version effective on or before {when}."
        )
    return NoTermsInForce(text, financing_id=financing.pk, day=day)


# --- what a new version would have governed (issue 12: terms admin validation) ---------------------

@dataclass(frozen=True)
class RecordPricedEarlier:
    """A recorded conversion, exercise or redemption dated on or after a proposed version's
    effective date: made under an earlier version, it keeps that version (its snapshot)."""

    kind: str
    pk: int
    day: datetime.date
    label: str
    version: int

    def as_dict(self) -> dict:
        return {"kind": self.kind, "pk": self.pk, "day": self.day.isoformat(), "label": self.label,
                "version": self.version}


def records_on_or_after(*, financing: Financing | int, day: datetime.date, limit: int = 200) -> list[RecordPricedEarlier]:
    """Conversions, warrant exercises and redemptions of ``financing`` dated on or after ``day``:
    the records a version effective from ``day`` would have priced had it existed (they keep the
    version they used). At most ``limit`` of each kind, oldest first; three queries."""
    from deals.models import Conversion, Redemption, WarrantExercise

    fid = financing.pk if isinstance(financing, Financing) else int(financing)
    out: list[RecordPricedEarlier] = []
    convs = (Conversion.objects.filter(terms_version__financing_id=fid, conversion_date__gte=day)
             .select_related("terms_version").order_by("conversion_date", "id")[:limit])
    out += [RecordPricedEarlier("conversion", c.pk, c.conversion_date, f"Conversion #{c.pk} of {c.amount:,} on "
                                f"{c.conversion_date.isoformat()}", c.terms_version.version) for c in convs]
    exs = (WarrantExercise.objects.filter(terms_version__financing_id=fid, exercise_date__gte=day)
           .select_related("terms_version").order_by("exercise_date", "id")[:limit])
    out += [RecordPricedEarlier("exercise", e.pk, e.exercise_date, f"Warrant exercise #{e.pk} on {e.exercise_date.isoformat()}",
                                e.terms_version.version) for e in exs]
    reds = (Redemption.objects.filter(terms_version__financing_id=fid, notice_date__gte=day)
            .select_related("terms_version").order_by("notice_date", "id")[:limit])
    out += [RecordPricedEarlier("redemption", r.pk, r.notice_date, f"Redemption #{r.pk} noticed {r.notice_date.isoformat()}",
                                r.terms_version.version) for r in reds]
    return sorted(out, key=lambda r: (r.day, r.kind, r.pk))
