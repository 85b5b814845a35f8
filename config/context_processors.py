from django.conf import settings


def council(request):
    """Make the council's name available to every template."""
    return {"council_name": settings.COUNCIL_NAME}
