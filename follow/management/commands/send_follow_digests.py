from django.core.management.base import BaseCommand

from follow.emails import send_digests


class Command(BaseCommand):
    help = "Send each daily follower one email listing what was published since their last digest. Run once a day."

    def handle(self, *args, **options):
        sent = send_digests()
        self.stdout.write(f"Sent {sent} digest email{'s' if sent != 1 else ''}.")
