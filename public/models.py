"""What the open data API has printed: when each object first appeared, last changed, or stopped being public.

OParl asks every object for `created` and `modified`, lists filtered by them, and an object that
stops being public to stay at its URL with `deleted: true`. The app's own tables cannot say when
what the API prints of an object changed (a meeting prints its items, files, location, attendance
and minutes), so public/harvest.py keeps a record per object of a digest of what it printed, and
compares: a new digest is a modification, a missing object a deletion. Only digests are kept,
never content, so nothing exempt outlives its publication here.
"""

from django.db import models


class ApiRecord(models.Model):
    """One API object: its address (`kind`/`key`, as in /api/v1/<kind>/<key>/) and its history."""

    kind = models.CharField(max_length=20)  # "meetings", "files" ...
    key = models.CharField(max_length=40)  # "12", "paper-12" ...
    type = models.CharField(max_length=20)  # OParl's type name: "Meeting", "File" ...
    digest = models.CharField(max_length=32, blank=True)  # of what it last printed; "" once deleted
    created = models.DateTimeField()
    modified = models.DateTimeField()
    deleted = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="api_record_address")]
        indexes = [
            models.Index(fields=["kind", "modified"], name="api_record_modified"),
            models.Index(fields=["kind", "created"], name="api_record_created"),
        ]

    def __str__(self):
        return f"{self.kind}/{self.key}/"


class ApiState(models.Model):
    """The one row saying which state of the public record the ApiRecords were last compared with."""

    stamp = models.CharField(max_length=64, blank=True)

    def __str__(self):
        return self.stamp
