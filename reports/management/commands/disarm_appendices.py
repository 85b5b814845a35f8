"""Rebuild every stored appendix not yet rebuilt by the current rules, and rebuild the packs joining them.

Run after each deploy (`make run` does): appendices uploaded before the rules existed or changed
are neither served nor joined into packs until it has (see reports/pdfdisarm.py, RULES_VERSION).
It does nothing when there is nothing to do, so running it again is cheap; an appendix that cannot
be rebuilt keeps the reason, is tried again next time, and stays out of downloads and packs.
"""

from django.core.management.base import BaseCommand

from boards.models import Meeting
from boards.tasks import queue_pack_builds
from reports import services
from reports.models import Appendix
from reports.pdfdisarm import RULES_VERSION


class Command(BaseCommand):
    help = "Rebuild stored appendices without active content (those not rebuilt by the current rules)."

    def handle(self, *args, **options):
        # An office file's PDF is made, and checked by these rules, by its conversion: none to rebuild before.
        waiting = Appendix.objects.filter(disarmed_version__lt=RULES_VERSION).exclude(file="").order_by("pk")
        rebuilt, refused = [], 0
        for appendix in waiting.iterator():
            if services.appendix_disarm(appendix=appendix):
                rebuilt.append(appendix.pk)
            else:
                refused += 1
                self.stderr.write(f"Appendix {appendix.pk} of report {appendix.report_id}: {appendix.problem}")
        meetings = Meeting.objects.filter(items__report__appendices__in=rebuilt).select_related("board").distinct()
        for meeting in meetings:
            queue_pack_builds(meeting)
        self.stdout.write(
            f"Appendices: {len(rebuilt)} rebuilt, {refused} refused (kept out of downloads and packs); "
            f"packs of {len(meetings)} meeting(s) queued to be built again."
        )
