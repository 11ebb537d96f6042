"""Views by area; each module exposes ``urlpatterns`` that ``deals/urls.py`` joins.

Style: function views with decorators (healthchecks' ``hc/front/views.py``);
they validate a form, call one service, redirect.
"""
