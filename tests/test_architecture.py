"""The shape of the imports: no circle between files, and reports/ below boards/.

Every import is read from the source (ast), those inside functions too: an import moved into a
function to dodge a circle still makes one. Management commands and migrations are entry points
(nothing imports them), so they are left out.

reports/ may import from boards/ at module level only through `boards.selectors` (the agenda's
reads: numbering, parts, the meetings a report may name, the reports waiting for an agenda), and
from public/ only through `public.queries` (who may read what) and `public.decorators` (built on it).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "accounts",
    "boards",
    "reports",
    "public",
    "members",
    "interests",
    "votes",
    "minutes",
    "decisions",
    "officer_decisions",
    "follow",
    "actions",
    "deadlines",
    "reference",
    "wordio",
    "insight",
    "reader",
    "config",
]


ALLOWED_FROM_REPORTS = {"boards.selectors", "public.queries", "public.decorators"}


def _modules():
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts or "management" in parts:
                continue
            name = ".".join(parts)
            found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _imports(path):
    """(imported module, at module level?) for every import of our modules in the file."""
    tree = ast.parse(path.read_text())
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            # `from boards import selectors` imports the module boards.selectors, not the package.
            names = [
                f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in MODULES else node.module
                for alias in node.names
            ]
        else:
            continue
        found += [(name, id(node) in top) for name in names if name in MODULES]
    return found


def _graph():
    return {name: {target for target, _ in _imports(path) if target != name} for name, path in MODULES.items()}


def _circles(graph):
    """The strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_it_reads_the_modules():
    assert {"boards.services", "boards.selectors", "reports.services", "public.api"} <= set(MODULES)
    assert ("boards.selectors", True) in _imports(MODULES["reports.forms"])


def test_it_finds_no_circle_between_files():
    assert _circles(_graph()) == []


def test_it_finds_a_circle_when_there_is_one():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


@pytest.mark.parametrize("name", sorted(name for name in MODULES if name.startswith("reports")))
def test_it_keeps_reports_off_boards_and_public_at_module_level(name):
    at_module_level = {target for target, top in _imports(MODULES[name]) if top}
    reaching_up = {t for t in at_module_level if t.split(".")[0] in {"boards", "public"}}
    assert reaching_up <= ALLOWED_FROM_REPORTS, f"{name} imports {sorted(reaching_up - ALLOWED_FROM_REPORTS)}"


def test_it_has_one_writer_of_reports_and_their_events():
    """Only reports/services.py creates ReportEvent rows or saves a report (the demo loader aside)."""
    writers = set()
    for name, path in MODULES.items():
        source = path.read_text()
        if "ReportEvent.objects.create" in source or "report.save(" in source:
            writers.add(name)
    assert writers == {"reports.services"}


def test_no_template_comment_spans_lines():
    """Django's {# #} comment ends at the line's end: one that spans lines is printed on the page."""
    broken = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            start = line.find("{#")
            if start >= 0 and "#}" not in line[start:]:
                broken.append(f"{path.relative_to(ROOT)}:{number}")
    assert not broken, "use {% comment %} for these: " + ", ".join(broken)


def test_no_view_binds_a_form_to_post_or_none():
    """`request.POST or None` is None for a POST with an empty body, so an empty submission would show the
    blank form again with no message (tests/test_empty_posts.py): bind to the POST whenever it is one."""
    found = []
    for app in [*APPS, "config"]:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "request.POST or None" in path.read_text(encoding="utf-8"):
                found.append(str(path.relative_to(ROOT)))
    assert not found, "bind to `request.POST if request.method == 'POST' else None` in: " + ", ".join(found)
