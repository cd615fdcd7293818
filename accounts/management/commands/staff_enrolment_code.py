from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.selectors import is_staff_member
from accounts.services import staff_enrolment_code_issue


class Command(BaseCommand):
    help = (
        "Print a one-time code with which a member of staff enrols her authenticator app "
        "(hand it to her in person or by a channel you trust). Issuing a code cancels her earlier ones."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--hours",
            type=int,
            default=settings.ACCOUNTS_ENROLMENT_CODE_HOURS,
            help="How long the code stays valid (default: %(default)s).",
        )
        parser.add_argument(
            "--replace-device",
            action="store_true",
            help="She lost her phone: remove her current authenticator so she enrols a new one.",
        )

    def handle(self, *args, username, hours, replace_device, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active account named {username!r}.")
        if not is_staff_member(user):
            raise CommandError(f"{username!r} holds no staff role: citizens do not use an authenticator.")
        if hours < 1:
            raise CommandError("--hours must be at least 1.")
        code = staff_enrolment_code_issue(user=user, hours=hours, replace_device=replace_device)
        self.stdout.write(f"Enrolment code for {username} (valid {hours} h, once): {code}")
