"""What a journey waits for besides Playwright's own waits."""


def at_rest(page):
    """Wait until the page's transitions and animations have ended (a menu opened, a button's colours
    turned): finite ones only, since an endless animation never ends."""
    page.wait_for_function(
        """() => document.getAnimations().every(
            (a) => a.playState !== "running" || a.effect?.getComputedTiming().endTime === Infinity)""",
        timeout=10_000,
    )
