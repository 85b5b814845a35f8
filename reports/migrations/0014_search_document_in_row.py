"""Each search document's vector and text kept in its row on PostgreSQL (reports.searchindex.keep_in_row)."""

from django.db import migrations

from reports.searchindex import keep_in_row


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0013_report_corrections"),
    ]

    operations = [
        migrations.RunPython(lambda apps, schema_editor: keep_in_row(schema_editor), migrations.RunPython.noop),
    ]
