def council(request):
    """Make the council's name (from its branding, else COUNCIL_NAME) available to every template.

    Every page prints it, so it is read like the public pages' stamp: at most once a second per
    process, and at once after the branding is saved in this process (boards.public_cache).
    """
    from boards.public_cache import remembered

    return {"council_name": remembered(_council_name)}


def _council_name():
    from boards.models import Council

    return Council.current().display_name
