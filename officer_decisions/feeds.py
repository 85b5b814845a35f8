"""RSS and Atom of published officer decisions, on the public feeds' base (public/feeds.py)."""

from django.conf import settings
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from officer_decisions import selectors
from public.feeds import CouncilFeed


class OfficerDecisionFeed(CouncilFeed):
    """The latest published officer decisions, newest first; an exempt one by its title and paragraph only."""

    listing = "officer decisions"

    def get_object(self, request):
        return None

    def title(self, obj):
        return f"{settings.COUNCIL_NAME}: {self.listing}"

    def link(self, obj):
        return reverse("officer_decisions:register")

    def description(self, obj):
        return "Decisions taken by officers under delegated powers, as they are published."

    def items(self, obj):
        return selectors.latest_published()

    def item_title(self, decision):
        day = decision.decided_on
        return f"{decision.title} ({day.day} {day:%B %Y})"

    def item_description(self, decision):
        """The decision and its maker; never the text of an exempt one."""
        if decision.is_exempt:
            return f"{decision.not_for_publication}. Decision taken by {decision.maker_display}."
        return f"{decision.decision}\n\nDecision taken by {decision.maker_display}."

    def item_pubdate(self, decision):
        return decision.published_at

    def item_updateddate(self, decision):
        return decision.published_at


class AtomOfficerDecisionFeed(OfficerDecisionFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj):
        return self.description(obj)
