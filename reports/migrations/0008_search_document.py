"""The stored search document of each report (reports.searchindex), and every existing report indexed.

PostgreSQL: the SearchDocument table with a GIN index. SQLite: an FTS5 table with the porter
tokenizer (the SearchDocument table exists there too, empty).
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

from reports.searchindex import create_index, document_parts, drop_index, write_document


def index_existing_reports(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    for report in Report.objects.using(schema_editor.connection.alias).iterator():
        write_document(report.pk, *document_parts(report), using=schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0007_forward_plan_acceptance"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "report",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="reports.report",
                    ),
                ),
                (
                    "text",
                    models.TextField(
                        blank=True, help_text="Summary, recommendations and bodies: what extracts are cut from."
                    ),
                ),
                ("document", django.contrib.postgres.search.SearchVectorField(null=True)),
            ],
        ),
        migrations.RunPython(
            lambda apps, schema_editor: create_index(schema_editor),
            lambda apps, schema_editor: drop_index(schema_editor),
        ),
        migrations.RunPython(index_existing_reports, migrations.RunPython.noop),
    ]
