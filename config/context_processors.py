def council(request):
    """Make the council's name (from its branding, else COUNCIL_NAME) available to every template."""
    from boards.models import Council

    return {"council_name": Council.current().display_name}
