"""Images for the figure tests, made here: plain ones, damaged ones and hostile ones."""

import io
import struct
import zlib

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw
from pypdf import PdfReader

from reports.models import Figure


def png(width=480, height=288, colour=(0, 75, 107), label=None, text_chunk=None):
    """A PNG chart-like image: a coloured field with a few bars (and `label` drawn, and `text_chunk`
    kept as a PNG text comment, if given)."""
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for i in range(4):
        draw.rectangle(
            [20 + i * (width // 5), height - 20 - (i + 1) * height // 6, 50 + i * (width // 5), height - 20],
            fill=colour,
        )
    if label:
        draw.text((10, 10), label, fill="black")
    out = io.BytesIO()
    info = None
    if text_chunk:
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_text("Comment", text_chunk)
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def jpeg(width=640, height=480, exif_orientation=None):
    """A JPEG photograph-like image, optionally with an EXIF orientation and a GPS position to strip."""
    image = Image.new("RGB", (width, height), (120, 160, 90))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if exif_orientation:
        exif[0x0112] = exif_orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_claiming(width, height):
    """A tiny file whose PNG header claims `width` x `height` pixels: a decompression bomb's opening."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + _chunk(b"IEND", b"")
    )


def truncated_png():
    data = png(800, 600, label="truncated")
    return data[: len(data) // 2]


SVG_CHART = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="600" height="300" '
    b'viewBox="0 0 600 300"><defs><linearGradient id="g"><stop offset="0" stop-color="#004b6b"/>'
    b'<stop offset="1" stop-color="#00a0d6"/></linearGradient></defs>'
    b'<rect x="40" y="120" width="80" height="150" fill="url(#g)"/><rect x="160" y="60" width="80" height="210" '
    b'style="fill: url(#g)"/><use xlink:href="#label"/><text id="label" x="40" y="40" font-size="24">Life expectancy</text>'
    b"</svg>"
)


def svg(inner, attributes=""):
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'viewBox="0 0 100 50"{attributes}>{inner}</svg>'
    ).encode()


def stored_figure(report, data=None, content_type="image/png"):
    """A Figure kept for `report` as the upload would keep it (for tests that need one without the check)."""
    data = png() if data is None else data
    figure = Figure(report=report, content_type=content_type, source_format="png", width=1, height=1, size=len(data))
    figure.file.save("figure.png" if content_type == "image/png" else "figure.jpg", ContentFile(data), save=False)
    figure.save()
    return figure


def figure_html(figure, alt="A bar chart", caption="What did we learn?"):
    """A figure in a section body, as the editor writes it."""
    caption_html = f"<figcaption>{caption}</figcaption>" if caption is not None else ""
    return f'<figure><img src="{figure.url}" alt="{alt}">{caption_html}</figure>'


def pictures_in(pdf_data):
    """How many distinct images a PDF holds, soft masks (transparency) not counted (WeasyPrint shares
    one resource dictionary across pages, so counting per page would count each image on every page)."""
    reader = PdfReader(io.BytesIO(pdf_data))
    pictures, masks = set(), set()
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(number)
        except Exception:  # noqa: BLE001 - free or compressed object numbers
            continue
        if hasattr(obj, "get") and obj.get("/Subtype") == "/Image":
            pictures.add(number)
            if "/SMask" in obj:
                masks.add(obj.raw_get("/SMask").idnum)
    return len(pictures - masks)


def picture_boxes(pdf_data):
    """(page number, x0, y0, x1, y1) in points of every image drawn in the PDF, from its content streams."""
    from pypdf.generic import ContentStream

    reader = PdfReader(io.BytesIO(pdf_data))
    boxes = []
    for number, page in enumerate(reader.pages):
        xobjects = page["/Resources"].get("/XObject", {})
        images = {name for name, ref in xobjects.items() if ref.get_object().get("/Subtype") == "/Image"}
        ctm, stack = [1, 0, 0, 1, 0, 0], []
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"q":
                stack.append(ctm)
            elif operator == b"Q" and stack:
                ctm = stack.pop()
            elif operator == b"cm":
                a, b, c, d, e, f = (float(v) for v in operands)
                A, B, C, D, E, F = ctm
                ctm = [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F]
            elif operator == b"Do" and operands[0] in images:
                a, b, c, d, e, f = ctm
                xs, ys = [e, e + a, e + c, e + a + c], [f, f + b, f + d, f + b + d]
                boxes.append((number, min(xs), min(ys), max(xs), max(ys)))
    return boxes
