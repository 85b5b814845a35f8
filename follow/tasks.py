"""Background jobs: the emails about a published event are sent by the worker, off the request that
published it (django-tasks, the database queue, as the agenda packs are built)."""

from django_tasks import task

from follow import emails


@task()
def send_event_emails_task(event_id):
    """Email the event to the immediate subscribers it matches; a no-op once it was sent."""
    emails.send_event_emails(event_id)
