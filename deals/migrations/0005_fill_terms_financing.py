"""Terms belong to a financing (issue 18): today's versions (one set for the whole
database) become one set per existing financing, values and version numbers
unchanged. The first financing keeps the existing rows; every other financing
gets copies. Conversions, exercises, redemptions and price protections then
point at the copy belonging to their instrument's financing -- the same values
that priced them, so no figure changes."""

from django.db import migrations

_NOT_TERMS = {"id", "financing"}


def fill_terms_financing(apps, schema_editor):
    Version = apps.get_model("deals", "DealTermsVersion")
    Financing = apps.get_model("deals", "Financing")
    orphans = list(Version.objects.filter(financing__isnull=True).order_by("effective_from", "version", "pk"))
    if not orphans:
        return
    financings = list(Financing.objects.order_by("pk").values_list("pk", flat=True))
    if not financings:
        # No financing means no instrument and nothing priced: the versions govern nothing.
        Version.objects.filter(financing__isnull=True).delete()
        return
    first, rest = financings[0], financings[1:]
    names = [f.attname for f in Version._meta.concrete_fields if f.name not in _NOT_TERMS]
    copies: dict[tuple[int, int], int] = {}
    for v in orphans:
        for fin in rest:
            clone = Version(financing_id=fin, **{n: getattr(v, n) for n in names})
            clone.save()
            Version.objects.filter(pk=clone.pk).update(created_at=v.created_at)  # auto_now_add on save
            copies[(v.pk, fin)] = clone.pk
        Version.objects.filter(pk=v.pk).update(financing_id=first)

    def repoint(model: str, fk: str, financing_path: str) -> None:
        Model = apps.get_model("deals", model)
        pairs = Model.objects.filter(**{f"{fk}__isnull": False}).values_list(fk, financing_path).distinct()
        for old, fin in list(pairs):
            new = copies.get((old, fin))
            if new is not None:
                Model.objects.filter(**{fk: old, financing_path: fin}).update(**{fk: new})

    repoint("Conversion", "terms_version_id", "debenture__financing_id")
    repoint("Conversion", "terms_version_id", "preferred__financing_id")
    repoint("WarrantExercise", "terms_version_id", "warrant__financing_id")
    repoint("Redemption", "terms_version_id", "debenture__financing_id")
    repoint("PriceProtectionAdjustment", "terms_version_id", "offer__financing_id")
    repoint("PriceProtectionAdjustment", "previous_terms_version_id", "offer__financing_id")


class Migration(migrations.Migration):
    dependencies = [("deals", "0004_terms_per_financing")]

    operations = [migrations.RunPython(fill_terms_financing, migrations.RunPython.noop)]
