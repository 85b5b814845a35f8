from django.core.management.base import BaseCommand

from deadlines.services import send_due_reminders


class Command(BaseCommand):
    help = (
        "Email the reminders of reports' sign-off and approval due dates that are due today. The worker runs "
        "this once a day by itself; running it again sends nothing twice."
    )

    def handle(self, *args, **options):
        sent = send_due_reminders()
        self.stdout.write(f"Sent {sent} reminder{'s' if sent != 1 else ''}.")
