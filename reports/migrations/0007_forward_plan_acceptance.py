"""Forward Plan entries wait for democratic services to accept them before they are public.

Entries of reports already approved or published were on the public plan and stay there,
accepted as of the date they entered it; the others wait for the clerk.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def accept_approved_entries(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    entries = Report.objects.filter(
        is_key_decision=True,
        in_forward_plan=True,
        forward_plan_date__isnull=False,
        status__in=["approved", "published"],
    )
    for report in entries:
        report.forward_plan_accepted_on = report.forward_plan_date
        report.save(update_fields=["forward_plan_accepted_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_figure"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="forward_plan_accepted_on",
            field=models.DateField(
                blank=True, editable=False, null=True, verbose_name="accepted onto the Forward Plan on"
            ),
        ),
        migrations.AddField(
            model_name="report",
            name="forward_plan_accepted_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(accept_approved_entries, migrations.RunPython.noop),
    ]
