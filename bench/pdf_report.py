"""Benchmark: the report PDF, our path beside WeasyPrint alone.

Renders the demo seed report, a 40-page report with tables and a report with 6 figures (three PNG
charts, two JPEG photographs and an SVG chart, each checked and remade as an upload is), and prints
for each the median wall-clock and CPU time and the peak memory of:

- our path: `reports.pdf.render_report_pdf(report)`, as the download view calls it: the template,
  the locked-down fetcher, the render in a forked child bounded in time and memory, fonts loaded
  once per process and inherited by every child;
- WeasyPrint alone: `HTML(string=...).write_pdf(...)` in this process on the same HTML, with the
  same stylesheets and options (PDF/UA-1), its default fetcher (the static URLs and the figures'
  addresses pointed at the same files on disk) and its default of loading the fonts for each document;

and the ratio of the two (target: within 1.15x). A third line, WeasyPrint in this process with
the fonts preloaded as ours are, shows what the isolation itself (the fork) costs.

Timed runs alternate between the paths, so load from anything else on the machine falls on each
alike. Peak memory: each path renders once in a fresh forked process; wait4's ru_maxrss covers
that process and the render child it forks.

    .venv/bin/python bench/pdf_report.py [--runs 9]
"""

import argparse
import atexit
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from io import BytesIO, StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
atexit.register(shutil.rmtree, WORK, ignore_errors=True)
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "HTTPS": "0",
        "VAR_DIR": str(WORK),
        "DATABASE_URL": "",
        "LOG_LEVEL": "WARNING",
    }
)

import django  # noqa: E402

django.setup()

import weasyprint  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from reports import pdf  # noqa: E402
from reports.demo import SEED  # noqa: E402
from reports.imagecheck import check_image  # noqa: E402
from reports.models import Figure, Recommendation, Report, Section  # noqa: E402
from reports.views import report_queryset  # noqa: E402

STATIC = ROOT / "static"


def long_report():
    """An approved report of about 40 pages: the seed's blocks, then 8 sections with long tables."""
    report = _copy_of_seed("Leisure Centres Condition Survey and Investment Programme 2023 to 2028")
    paragraph = (
        "The condition survey inspected the building fabric, mechanical and electrical plant, pools and "
        "changing areas of each centre, and rated every element from A (as new) to D (life expired). "
        "Costs are at 2023 prices and include fees and a contingency of fifteen per cent. "
    )
    for n in range(1, 9):
        rows = "".join(
            f"<tr><td><p>Element {n}.{r}</p></td><td><p>{'ABCD'[r % 4]}</p></td>"
            f"<td><p>£{(n * 37 + r * 11) * 1000:,}</p></td><td><p>{2023 + r % 5}</p></td>"
            f"<td><p>Replace or refurbish in line with the survey's recommendation for element {r}.</p></td></tr>"
            for r in range(1, 29)
        )
        body = (
            "<ol>" + "".join(f"<li><p>{paragraph * 2}</p></li>" for _ in range(4)) + "</ol>"
            "<h3>Condition and cost by element</h3>"
            "<table><tbody><tr><th><p>Element</p></th><th><p>Condition</p></th><th><p>Cost</p></th>"
            f"<th><p>Year</p></th><th><p>Action</p></th></tr>{rows}</tbody></table>"
            f"<p>{paragraph}</p>"
        )
        Section.objects.create(report=report, position=n, heading=f"Centre {n}: survey findings", body=body)
    return report


def _copy_of_seed(subject):
    seed = Report.objects.get(subject=SEED["subject"])
    report = Report.objects.get(pk=seed.pk)
    report.pk = None
    report.subject = subject
    report.save()
    for recommendation in seed.recommendations.all():
        Recommendation.objects.create(report=report, position=recommendation.position, text=recommendation.text)
    return report


def _chart_png(n):
    """A bar chart as Excel would paste it: 1,200 x 720 pixels, bars, gridlines and labels."""
    image = Image.new("RGB", (1200, 720), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(STATIC / "fonts" / "source-sans-3" / "SourceSans3-Regular.ttf"), 28)
    for y in range(80, 640, 80):
        draw.line([(100, y), (1150, y)], fill=(217, 217, 217), width=2)
        draw.text((20, y - 16), f"{(640 - y) // 8}%", fill="black", font=font)
    for i in range(8):
        height = 60 + ((i * 7 + n * 13) % 9) * 60
        draw.rectangle([130 + i * 125, 640 - height, 210 + i * 125, 640], fill=(0, 75 + n * 40, 107))
        draw.text((130 + i * 125, 660), f"Area {i + 1}", fill="black", font=font)
    draw.text((420, 20), f"Chart {n}: rate by area, 2019 to 2022", fill="black", font=font)
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _photo_jpeg(n):
    """A photograph's worth of detail: 2,400 x 1,600 pixels of gradients and noise, as a phone's JPEG."""
    noise = Image.effect_noise((2400, 1600), 48).convert("L")
    gradient = Image.linear_gradient("L").resize((2400, 1600))
    image = Image.merge("RGB", (noise, gradient, Image.eval(noise, lambda v: (v + n * 60) % 256)))
    out = BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


SVG_CHART = (
    b"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 400">
<rect width="800" height="400" fill="#fff"/>"""
    + b"".join(
        f'<rect x="{60 + i * 70}" y="{360 - (i * 37) % 300 - 40}" width="50" height="{(i * 37) % 300 + 40}" fill="#004b6b"/>'
        f'<text x="{60 + i * 70}" y="390" font-size="16">Ward {i + 1}</text>'.encode()
        for i in range(10)
    )
    + b'<text x="250" y="30" font-size="24">Households in fuel poverty, by ward</text></svg>'
)


def figures_report():
    """An approved report: the seed's blocks, then 3 sections with 6 figures between their paragraphs."""
    report = _copy_of_seed("Health Inequalities: the Data in Pictures")
    uploads = [_chart_png(1), _photo_jpeg(1), _chart_png(2), SVG_CHART, _photo_jpeg(2), _chart_png(3)]
    figures = []
    for data in uploads:
        image = check_image(BytesIO(data))
        figure = Figure(
            report=report,
            content_type=image.content_type,
            source_format=image.source_format,
            width=image.width,
            height=image.height,
            size=len(image.data),
        )
        figure.file.save(f"figure.{image.extension}", ContentFile(image.data), save=False)
        figure.save()
        figures.append(figure)
    paragraph = (
        "The chart below shows the rate in each area against the borough average; the gap between the "
        "most and least deprived areas has widened since 2019, most of all for children and older people. "
    )
    for n in range(3):
        body = ""
        for figure in figures[n * 2 : n * 2 + 2]:
            body += (
                f"<ol><li><p>{paragraph * 2}</p></li></ol>"
                f'<figure><img src="{figure.url}" alt="Figure {figure.pk}: {paragraph[:120]}">'
                f"<figcaption>{paragraph[:60]}</figcaption></figure>"
            )
        Section.objects.create(report=report, position=n + 1, heading=f"Theme {n + 1}", body=body)
    return report


def cpu_seconds():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(function):
    cpu, wall = cpu_seconds(), time.perf_counter()
    function()
    return time.perf_counter() - wall, cpu_seconds() - cpu


def peak_rss_mb(function):
    """Run `function` once in a fresh forked process; its peak RSS (and its children's) in MB."""
    pid = os.fork()
    if pid == 0:  # the child
        from django.db import connections

        for connection in connections.all():
            connection.inc_thread_sharing()
            connection.close()
        code = 0
        try:
            function()
        except BaseException:  # noqa: BLE001 - reported as a failed run
            code = 1
        os._exit(code)
    _, status, usage = os.wait4(pid, 0)
    if status != 0:
        raise RuntimeError("a memory run failed")
    return usage.ru_maxrss / 1024


def paths_for(report):
    """The three ways of rendering `report`, each returning PDF bytes."""
    html = pdf._allow_long_runs_to_break(pdf.report_html(report))
    file_html = html.replace(f'href="{settings.STATIC_URL}', f'href="{STATIC.as_uri()}/')
    for figure in report.figures.all():
        file_html = file_html.replace(f'src="{figure.url}"', f'src="{Path(figure.file.path).as_uri()}"')
    fonts_css = STATIC / "css" / "print-fonts.css"

    def ours():
        return pdf.render_report_pdf(report)

    def weasyprint_alone():
        font_config = FontConfiguration()
        stylesheets = [CSS(filename=fonts_css, font_config=font_config)]
        return HTML(string=file_html).write_pdf(
            pdf_variant="pdf/ua-1", stylesheets=stylesheets, font_config=font_config
        )

    preloaded = FontConfiguration()
    preloaded_css = [CSS(filename=fonts_css, font_config=preloaded)]

    def weasyprint_preloaded():
        return HTML(string=file_html).write_pdf(
            pdf_variant="pdf/ua-1", stylesheets=preloaded_css, font_config=preloaded
        )

    return {"ours": ours, "alone": weasyprint_alone, "preloaded": weasyprint_preloaded}


def measure(label, report, runs):
    paths = paths_for(report)
    outputs = {name: function() for name, function in paths.items()}  # warm-up, and a check
    pages = {name: len(PdfReader(BytesIO(data)).pages) for name, data in outputs.items()}
    if len(set(pages.values())) != 1:
        raise RuntimeError(f"the paths disagree on the page count: {pages}")
    samples = {name: [] for name in paths}
    order = list(paths)
    for run in range(runs):
        for name in order if run % 2 == 0 else reversed(order):
            samples[name].append(timed(paths[name]))
    memory = {name: peak_rss_mb(function) for name, function in paths.items()}
    wall = {name: statistics.median(s[0] for s in samples[name]) for name in paths}
    cpu = {name: statistics.median(s[1] for s in samples[name]) for name in paths}
    rows = [
        ("our path", "ours"),
        ("WeasyPrint alone", "alone"),
        ("WeasyPrint, fonts preloaded", "preloaded"),
    ]
    print(f"\n{label}: {pages['ours']} pages, {len(outputs['ours']):,} bytes, {runs} runs each")
    print(f"  {'':30} {'median wall':>12} {'median CPU':>12} {'peak RSS':>10}")
    for title, name in rows:
        print(f"  {title:30} {wall[name]:>10.3f} s {cpu[name]:>10.3f} s {memory[name]:>7.0f} MB")
    ratio = wall["ours"] / wall["alone"]
    print(
        f"  {'ratio, ours / WeasyPrint alone':30} {ratio:>11.2f}x {cpu['ours'] / cpu['alone']:>11.2f}x"
        f" {memory['ours'] / memory['alone']:>9.2f}x   target: within 1.15x: {'met' if ratio <= 1.15 else 'NOT met'}"
    )
    print(
        f"  {'ratio, ours / fonts preloaded':30} {wall['ours'] / wall['preloaded']:>11.2f}x"
        f" {cpu['ours'] / cpu['preloaded']:>11.2f}x {memory['ours'] / memory['preloaded']:>9.2f}x"
        "   (what the fork and the bounds cost)"
    )
    return ratio


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="timed runs of each path per report (default 9)")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=StringIO())
    seed = report_queryset().get(subject=SEED["subject"])
    long = report_queryset().get(pk=long_report().pk)
    figured = report_queryset().get(pk=figures_report().pk)
    print(
        f"Report PDF benchmark: WeasyPrint {weasyprint.__version__}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
    )
    ratios = [
        measure("Demo seed report", seed, args.runs),
        measure("40-page report with tables", long, max(3, args.runs // 2)),
        measure("Report with 6 figures", figured, args.runs),
    ]
    return 0 if max(ratios) <= 1.15 else 1


if __name__ == "__main__":
    sys.exit(main())
