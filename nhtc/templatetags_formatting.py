"""Template filters for figures: ``{{ x|money }}``, ``{{ x|price }}``, ``{{ x|shares }}``
(``nhtc.formatting``; loaded as a template builtin in settings)."""

from django import template

from nhtc import formatting

register = template.Library()
register.filter("money", formatting.money)
register.filter("price", formatting.price)
register.filter("shares", formatting.shares)
