from django.core.management.base import BaseCommand

from officer_decisions.services import officer_decisions_delete_expired


class Command(BaseCommand):
    help = "Delete officer decisions kept for their six years (past keep_until). Run it daily."

    def handle(self, *args, **options):
        count = officer_decisions_delete_expired()
        self.stdout.write(f"Deleted {count} officer decision{'' if count == 1 else 's'} past their six years.")
