"""The insight page's charts, drawn on the server as SVG: the geometry here, the drawing in templates/insight/.

No charting library and no script: a bar is a rectangle whose width is its share, and every chart
carries its figures as a text alternative (and the page prints the same figures as a table).
"""

from dataclasses import dataclass

from insight.selectors import CLIMATE, quarter_short

WIDTH = 480
WIDE = 960  # the trend by quarter, across the page
BAR_AREA = WIDTH - 120  # the widest bar; its count is printed after it
ROW = 42
# Fills with at least 3:1 contrast against white (WCAG 2.2, 1.4.11), told apart by the legend and table too.
CLIMATE_COLOURS = {"positive": "#1b7a3d", "neutral": "#56606b", "negative": "#b3261e", "none": "#8a6d00"}
BAR_COLOUR = "#004b6b"  # the council colour


@dataclass
class Bar:
    label: str
    count: int
    share: int
    y: int
    width: float
    colour: str


def bars(table, colours=None):
    """Horizontal bars, one per row of `table`, each as wide as its share of the decisions."""
    drawn = []
    for i, (label, n, share, figure) in enumerate(table.shares()):
        key = figure.partition(":")[2]
        colour = (colours or {}).get(key, BAR_COLOUR)
        width = BAR_AREA * n / table.total if table.total else 0
        drawn.append(Bar(label, n, share, i * ROW, round(width, 1), colour))
    return {"bars": drawn, "width": WIDTH, "height": max(len(drawn), 1) * ROW, "alt": alternative(table)}


def alternative(table):
    """The chart in words: its text alternative."""
    if not table.total:
        return f"{table.title}: no decisions to count."
    parts = [f"{label}: {n} of {table.total} ({share}%)" for label, n, share, _ in table.shares()]
    return f"{table.title}. " + "; ".join(parts) + "."


@dataclass
class Segment:
    y: float
    height: float
    colour: str


@dataclass
class Column:
    label: str
    x: float
    width: float
    total: int
    segments: list
    show_label: bool

    @property
    def centre(self):
        return round(self.x + self.width / 2, 1)


HEIGHT = 200
TOP = 10


def stacked_columns(table):
    """The trend by quarter: a column per quarter as tall as its decisions, split by climate declaration."""
    rows = table.rows
    if not rows:
        return {"columns": [], "width": WIDE, "height": HEIGHT + 40, "alt": f"{table.title}: no decisions to count."}
    tallest = max(row[3] for row in rows) or 1
    step = WIDE / len(rows)
    every = -(-len(rows) // 8)  # at most eight labels along the bottom
    columns = []
    for i, row in enumerate(rows):
        total, counts = row[3], row[4:]
        y = TOP + HEIGHT
        segments = []
        for (key, _), n in zip(CLIMATE, counts, strict=True):
            h = HEIGHT * n / tallest
            y -= h
            segments.append(Segment(round(y, 1), round(h, 1), CLIMATE_COLOURS[key]))
        columns.append(
            Column(
                quarter_short(row[1]),
                round(i * step + step * 0.15, 1),
                round(step * 0.7, 1),
                total,
                segments,
                i % every == 0,
            )
        )
    words = "; ".join(
        f"{row[0]}: {row[3]} decisions ("
        + ", ".join(f"{n} {label.lower()}" for (_, label), n in zip(CLIMATE, row[4:], strict=True))
        + ")"
        for row in rows
    )
    return {
        "columns": columns,
        "width": WIDE,
        "height": TOP + HEIGHT + 40,
        "baseline": TOP + HEIGHT,
        "tallest": tallest,
        "alt": f"{table.title}. {words}.",
    }
