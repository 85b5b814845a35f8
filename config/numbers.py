"""Reading a whole number someone typed or posted."""


def whole_number(raw, digits=9):
    """`raw` as a whole number, or None unless it is only the digits 0 to 9, at most `digits` of them.

    str.isdigit() alone lets through "³" and "١", which int() then refuses or reads, and an id of
    twenty digits overflows the database's integer.
    """
    if raw is None or not (raw.isascii() and raw.isdigit()) or len(raw) > digits:
        return None
    return int(raw)
