"""``{% record_notices record as notices %}``: a record's notices (every kind and version, the
current version of each kind first) for pages that show a conversion, exercise or redemption.
Used by ``notices/_record_notices.html``."""

from django import template

from notices.models import Notice

register = template.Library()


@register.simple_tag
def record_notices(record):
    if record is None or getattr(record, "pk", None) is None:
        return []
    return list(Notice.objects.for_record(record).order_by("kind", "-version"))


@register.inclusion_tag("notices/_status_badge.html")
def notice_status(notice):
    return {"notice": notice}
