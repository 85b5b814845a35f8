from django.conf import settings
from django.db import models


class WordImport(models.Model):
    """What importing a Word document made of it: the fields filled and every part not placed, kept
    with the draft so the officer can come back to "Not placed" until each part is in its place."""

    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="word_imports")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255, blank=True)
    on_template = models.BooleanField(help_text="Enough of the template's labels were found.")
    filled = models.JSONField(default=list, help_text="[label, value] for each field filled.")
    unplaced = models.JSONField(default=list, help_text="[where, text] for each part placed in no field.")

    class Meta:
        ordering = ["-imported_at", "-pk"]

    def __str__(self):
        return f"Word import of {self.filename or 'a document'} into report {self.report_id}"
