"""A financing carries only the terms of its kind (issue 18): after 0007 the columns
are nullable; empty the terms of the other kind in every existing version (the
Series J copy loses the debenture terms and vice versa). No value that applies
to a financing changes."""

from django.db import migrations

from deals.terms.params import DealTerms, group_of, KIND_GROUPS


def fill_terms_by_kind(apps, schema_editor):
    Version = apps.get_model("deals", "DealTermsVersion")
    Financing = apps.get_model("deals", "Financing")
    # only the columns this state has (a term added by a later migration is not here yet)
    columns = [f.name for f in Version._meta.concrete_fields if f.name in DealTerms.field_names()]
    for kind_value, terms_kind in (("series_j", "preferred"), ("debenture", "debenture")):
        others = {n: None for n in columns if group_of(n) not in KIND_GROUPS[terms_kind]}
        ids = Financing.objects.filter(kind=kind_value).values_list("pk", flat=True)
        Version.objects.filter(financing_id__in=list(ids)).update(**others)


class Migration(migrations.Migration):
    dependencies = [("deals", "0008_terms_nullable")]

    operations = [migrations.RunPython(fill_terms_by_kind, migrations.RunPython.noop)]
