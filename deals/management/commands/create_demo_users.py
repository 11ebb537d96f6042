"""Create the demo deal admin and demo clerk (``make run``).

Passwords are random and printed once, when the users are created. In
production mode the command refuses to run: real accounts are made by a
superuser in the admin.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from deals.services.roles import CLERK, DEAL_ADMIN, ensure_groups

DEMO_USERS = (("demo-admin", DEAL_ADMIN, True), ("demo-clerk", CLERK, False))


class Command(BaseCommand):
    help = "Create the demo deal admin and clerk; print their passwords once."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Give existing demo users new passwords.")

    def handle(self, *args, reset=False, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo users are never created in production mode.")
        ensure_groups()
        User = get_user_model()
        for username, group, staff in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username, defaults={"is_staff": staff})
            user.groups.add(Group.objects.get(name=group))
            if created or reset:
                password = secrets.token_urlsafe(12)
                user.set_password(password)
                user.save()
                self.stdout.write(self.style.SUCCESS(f"{group}: username {username}  password {password}"))
            else:
                self.stdout.write(f"{group}: {username} exists (password unchanged; --reset to set a new one)")
