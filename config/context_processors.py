def council(request):
    """Make the council's name (from its branding, else COUNCIL_NAME) available to every template.

    Read once per request: a feed renders a template per entry, each running this again.
    """
    from boards.models import Council

    if not hasattr(request, "council_name"):
        request.council_name = Council.current().display_name
    return {"council_name": request.council_name}
