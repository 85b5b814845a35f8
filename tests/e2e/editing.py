"""Finding the report editor's fields the way a person does, once they are ready to be used."""


def section_text(page, number):
    """Section `number`'s text box: the rich-text editor, found by its label.

    A new section's textarea is on the page for a moment before the rich-text editor replaces it
    (the editor starts asynchronously). Both carry the label, so a locator by role alone can seize the
    textarea and then wait for it to become visible again, which it never does. Asking for the
    editable area as well waits for the editor.
    """
    return page.get_by_role("textbox", name=f"Section {number} text").and_(page.locator(".ProseMirror"))
