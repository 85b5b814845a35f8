"""The reference lists the report template draws on, as administrators manage them, and their history.

The lists' own rows live in reports/ (`Ward`, `Portfolio`, `Directorate`, `ImplicationType`,
`CorePurpose`, `Post`, `ConsulteeKind`); `LISTS` says how each is shown and changed here, and
`reference/services.py` is the one module that writes them. An entry is never deleted: a retired
one stays on the reports that use it and is no longer offered on new ones.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone

from reports.models import ConsulteeKind, CorePurpose, Directorate, ImplicationType, Portfolio, Post, Ward


@dataclass(frozen=True)
class RefList:
    """One list: its URL word, model, names in words, what it is for, and whether its order is the council's."""

    slug: str
    model: type
    title: str
    noun: str
    about: str
    ordered: bool = True
    name_field: str = "name"

    @property
    def a_noun(self):
        """ "an implication type", "a ward"."""
        return f"{'an' if self.noun[0] in 'aeiou' else 'a'} {self.noun}"

    def entries(self):
        """Every entry of the list, in its order (retired ones too)."""
        order = ["position", self.name_field, "pk"] if self.ordered else [self.name_field, "pk"]
        return self.model.objects.order_by(*order)


LISTS = {
    ref.slug: ref
    for ref in [
        RefList(
            "implication-types",
            ImplicationType,
            "Implication types",
            "implication type",
            "The rows of every report's implications matrix, printed in this order.",
        ),
        RefList(
            "core-purposes",
            CorePurpose,
            "Core purposes",
            "core purpose",
            "The council's core purposes a report says it contributes to, printed in this order.",
        ),
        RefList(
            "wards",
            Ward,
            "Wards",
            "ward",
            "The electoral wards a report may affect, offered in alphabetical order.",
            ordered=False,
        ),
        RefList("portfolios", Portfolio, "Portfolios", "portfolio", "The Cabinet portfolios a decision falls under."),
        RefList("directorates", Directorate, "Directorates", "directorate", "The council's directorates, for posts."),
        RefList(
            "posts",
            Post,
            "Posts",
            "post",
            "The posts a report is “Report of”; each post's holder approves its reports.",
            ordered=False,
            name_field="title",
        ),
        RefList(
            "consultee-kinds",
            ConsulteeKind,
            "Consultee kinds",
            "consultee kind",
            "The statutory consultees who sign reports off with a reference (finance FD, legal LD), in this order.",
        ),
    ]
}


class ReferenceEvent(models.Model):
    """A change to an entry of a reference list: added, edited, retired, restored or moved; who, when."""

    LABELS = {
        "added": "Added",
        "edited": "Edited",
        "retired": "Retired",
        "restored": "Restored",
        "moved_up": "Moved up",
        "moved_down": "Moved down",
    }

    list_slug = models.CharField(max_length=40)
    entry_id = models.PositiveIntegerField()
    entry_name = models.CharField(max_length=200, help_text="The entry's name when this happened.")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=20)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["list_slug", "-at"])]

    def __str__(self):
        return f"{self.entry_name} {self.action} by {self.actor} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def label(self):
        return self.LABELS.get(self.action, self.action.replace("_", " ").capitalize())
