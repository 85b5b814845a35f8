"""The standard items are made when a meeting is scheduled; the clerk's page used to make them when it
was first opened. Give them now to every meeting still being compiled that has none."""

from django.db import migrations

from boards.models import STANDARD_ITEMS


def add_standard_items(apps, schema_editor):
    Meeting = apps.get_model("boards", "Meeting")
    AgendaItem = apps.get_model("boards", "AgendaItem")
    for meeting in Meeting.objects.filter(status="scheduled").exclude(items__kind="standard"):
        AgendaItem.objects.bulk_create(
            AgendaItem(meeting=meeting, position=position, kind="standard", title=title, description=description)
            for position, (title, description) in enumerate(STANDARD_ITEMS, start=1)
        )


class Migration(migrations.Migration):
    dependencies = [("boards", "0008_meeting_event")]

    operations = [migrations.RunPython(add_standard_items, migrations.RunPython.noop)]
