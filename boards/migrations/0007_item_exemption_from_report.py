"""An agenda item for a report no longer keeps its own copy of the report's exemption.

The item's fields become `own_is_exempt` and `own_exempt_paragraph`, used only by items without a
report; an item for a report reads its exemption (and so its part) from the report. Report items'
old copies are cleared, so an item that disagreed with its report now follows the report.
Packs record which reports' text their stored file holds; for public packs built before, the
reports of the items then in Part 1.
"""

from django.db import migrations, models


def clear_report_items_copies(apps, schema_editor):
    AgendaItem = apps.get_model("boards", "AgendaItem")
    AgendaItem.objects.filter(report__isnull=False).update(own_is_exempt=False, own_exempt_paragraph=None)


def record_reports_in_public_packs(apps, schema_editor):
    # A public pack built before this held in full the reports of the items that were then in
    # Part 1: record them, so the file is not served once any of them is exempt.
    AgendaItem = apps.get_model("boards", "AgendaItem")
    AgendaPack = apps.get_model("boards", "AgendaPack")
    for pack in AgendaPack.objects.filter(edition="public").exclude(file=""):
        held = AgendaItem.objects.filter(meeting_id=pack.meeting_id, report__isnull=False, own_is_exempt=False)
        pack.reports_in_full = sorted(held.values_list("report_id", flat=True))
        pack.save(update_fields=["reports_in_full"])


def copy_back(apps, schema_editor):
    AgendaItem = apps.get_model("boards", "AgendaItem")
    for item in AgendaItem.objects.filter(report__isnull=False).select_related("report"):
        exempt = item.report.is_exempt is not False
        paragraphs = sorted(int(p) for p in item.report.exempt_paragraphs or [])
        item.own_is_exempt = exempt
        item.own_exempt_paragraph = (paragraphs or [3])[0] if exempt else None
        item.save(update_fields=["own_is_exempt", "own_exempt_paragraph"])


class Migration(migrations.Migration):
    dependencies = [
        ("boards", "0006_council_branding"),
        ("reports", "0007_forward_plan_acceptance"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="agendaitem", name="exempt_item_has_a_paragraph"),
        migrations.RenameField(model_name="agendaitem", old_name="is_exempt", new_name="own_is_exempt"),
        migrations.RenameField(model_name="agendaitem", old_name="exempt_paragraph", new_name="own_exempt_paragraph"),
        migrations.AlterField(
            model_name="agendaitem",
            name="own_is_exempt",
            field=models.BooleanField(
                default=False,
                help_text="For an item without a report only: the press and public are excluded. An item for a report is exempt when its report is.",
                verbose_name="exempt (Part 2)",
            ),
        ),
        migrations.AlterField(
            model_name="agendaitem",
            name="own_exempt_paragraph",
            field=models.PositiveSmallIntegerField(
                blank=True,
                choices=[(1, "Paragraph 1"), (2, "Paragraph 2"), (3, "Paragraph 3"), (4, "Paragraph 4"), (5, "Paragraph 5"), (6, "Paragraph 6"), (7, "Paragraph 7")],
                help_text="For an exempt item without a report only.",
                null=True,
                verbose_name="Schedule 12A paragraph",
            ),
        ),
        migrations.AlterModelOptions(name="agendaitem", options={"ordering": ["meeting", "position", "pk"]}),
        migrations.AddField(
            model_name="agendapack",
            name="reports_in_full",
            field=models.JSONField(
                blank=True, default=list, help_text="The reports whose text the stored file holds (not as exempt notices)."
            ),
        ),
        migrations.RunPython(record_reports_in_public_packs, migrations.RunPython.noop),
        migrations.RunPython(clear_report_items_copies, copy_back),
        migrations.AddConstraint(
            model_name="agendaitem",
            constraint=models.CheckConstraint(
                condition=models.Q(("own_exempt_paragraph__isnull", True), models.Q(("own_exempt_paragraph__gte", 1), ("own_exempt_paragraph__lte", 7)), _connector="OR"),
                name="item_paragraph_of_schedule_12a",
            ),
        ),
        migrations.AddConstraint(
            model_name="agendaitem",
            constraint=models.CheckConstraint(
                condition=models.Q(("report__isnull", True), models.Q(("own_exempt_paragraph__isnull", True), ("own_is_exempt", False)), _connector="OR"),
                name="report_item_has_no_exemption_of_its_own",
                violation_error_message="An item for a report takes its exemption from the report.",
            ),
        ),
    ]
