"""The seed report's words, and a check that they appear, in order, in text such as a PDF's.

The seed is tests/data/seed_report.txt (a copy of ../shared/seed/000_c132d7eafc911726.txt). A word is a run of letters and digits:
markdown links `[text](url)` count as their text, and list dashes, brackets and punctuation are
not words. Text extracted from a PDF may cut a word where a line wrapped inside it (a long URL),
so one expected word may match up to four consecutive pieces of the text.
"""

import re
from pathlib import Path

SEED_FILE = Path(__file__).resolve().parent / "data" / "seed_report.txt"

_MARKDOWN_LINK = re.compile(r"\[((?:[^\]\\]|\\.)*)\]\([^)\s]*\)")
_WORD = re.compile(r"\w+")


def seed_text():
    """The seed file as plain text: markdown links become their text."""
    return _MARKDOWN_LINK.sub(r"\1", SEED_FILE.read_text(encoding="utf-8"))


def words(text):
    """The words of `text`, in order."""
    return _WORD.findall(text)


def seed_words():
    return words(seed_text())


def _match(word, found, start):
    """The index just past the first match of `word` in `found` at or after `start`, else None."""
    for index in range(start, len(found)):
        piece = found[index]
        if piece == word:
            return index + 1
        if word.startswith(piece):
            joined = piece
            for end in range(index + 1, min(index + 4, len(found))):
                joined += found[end]
                if joined == word:
                    return end + 1
                if not word.startswith(joined):
                    break
    return None


def assert_words_in_order(expected, text):
    """Every word of `expected` occurs among the words of `text`, in the same order."""
    found = words(text)
    position = 0
    for index, word in enumerate(expected):
        after = _match(word, found, position)
        if after is None:
            before = " ".join(expected[max(0, index - 8) : index])
            near = " ".join(found[max(0, position - 8) : position + 8])
            raise AssertionError(
                f"word {index} {word!r} is missing or out of order; it follows {before!r} in the seed, "
                f"and the text there reads {near!r}"
            )
        position = after


def assert_phrases_in_order(phrases, text):
    """Each phrase occurs in `text` after the one before it, whitespace (line wrapping) aside."""
    flat = " ".join(text.split())
    position = 0
    for phrase in phrases:
        wanted = " ".join(phrase.split())
        found = flat.find(wanted, position)
        if found < 0:
            raise AssertionError(
                f"{wanted!r} is missing or out of order; the text there reads {flat[position : position + 160]!r}"
            )
        position = found + len(wanted)
