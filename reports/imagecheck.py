"""Checks an uploaded figure by its content and remakes it as a plain PNG or JPEG we print and serve.

Taken: PNG, JPEG and SVG. The file is opened in a child process with a time and a memory bound
(CHECK_SECONDS, CHECK_MEMORY_MB), as appendices are (reports/pdfcheck.py): whatever a hostile file
does to the decoders costs at most that, never a hung or bloated web worker.

- PNG and JPEG are opened with Pillow. The size in the header is checked before any pixel is
  decoded (MAX_SIDE, MAX_PIXELS: a 40,000 x 40,000 "decompression bomb" is refused at once), then
  the whole image is decoded (a truncated or corrupt file is refused), turned upright by its EXIF
  orientation, scaled down to at most PRINT_SIDE pixels a side, and saved again without any of the
  original's metadata (a phone's GPS position, comments, colour profiles, trailing bytes).
- SVG is never stored, served or printed as SVG: it is parsed as XML with entities and network
  access off, refused if it holds a script, an event handler, embedded HTML, an entity declaration
  or a reference to anything outside itself (an href, a CSS url() or @import that is not a
  `#fragment` or an embedded PNG or JPEG), and then rasterised to a PNG by resvg, which has no
  script engine and no network access, with the app's own fonts only.

So whatever the upload was, what is kept is a PNG or JPEG this code wrote.
"""

import io
import json
import logging
import os
import re
import subprocess
import sys

log = logging.getLogger(__name__)

MAX_SIDE = 12_000  # pixels on either side of an uploaded raster image
MAX_PIXELS = 50_000_000  # pixels in all (a 48-megapixel phone photo fits)
PRINT_SIDE = 2400  # the longest side kept: a little over 300 dpi across the text width of A4
CHECK_SECONDS = 20
CHECK_MEMORY_MB = 1024
SNIFF_BYTES = 4096

SVG_NS = "http://www.w3.org/2000/svg"
FONT_DIRS = [
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "static", "fonts", folder)
    for folder in ("source-sans-3", "noto-sans-arabic")
]

MESSAGES = {
    "not_image": (
        "This file is not a PNG, JPEG or SVG image. Save the chart or picture as PNG (or JPEG or SVG) and upload that."
    ),
    "damaged": "This image is damaged or incomplete and cannot be read. Save it again and upload the new copy.",
    "too_many_pixels": (
        "This image is {width:,} × {height:,} pixels; a figure can be at most {max_side:,} pixels on each side "
        "and {max_pixels_m} million pixels in all. Save a smaller copy and upload that."
    ),
    "svg_damaged": "This SVG file cannot be read: it is not well-formed SVG. Save it again, or save it as PNG.",
    "svg_script": (
        "This SVG contains a script, event handlers or embedded web content, which a figure may not carry. "
        "Save the chart again as a plain SVG, or as PNG, and upload that."
    ),
    "svg_external": (
        "This SVG refers to files or web addresses outside itself ({what}), which a figure may not load. "
        "Save it again with everything embedded, or as PNG, and upload that."
    ),
    "svg_entities": (
        "This SVG declares XML entities, which a figure may not use. Save it again as a plain SVG, or as PNG, "
        "and upload that."
    ),
    "too_complex": "This image is too complex to check. Save a simpler or smaller copy and upload that.",
}


class ImageProblem(Exception):
    """The upload is not an image we accept; the message says why in plain words."""


class CheckedImage:
    """A figure as it will be kept: PNG or JPEG bytes this code wrote, and what they are."""

    def __init__(self, data, content_type, width, height, source_format):
        self.data = data
        self.content_type = content_type
        self.width = width
        self.height = height
        self.source_format = source_format

    @property
    def extension(self):
        return "png" if self.content_type == "image/png" else "jpg"


def check_image(fileobj):
    """The upload remade as a CheckedImage, or ImageProblem saying why it was refused."""
    fileobj.seek(0)
    data = fileobj.read()
    fileobj.seek(0)
    if _kind(data) is None:
        raise ImageProblem(MESSAGES["not_image"])
    try:
        result = subprocess.run(  # noqa: S603 - our own interpreter and file, no shell
            [sys.executable, "-I", os.path.abspath(__file__)],
            input=data,
            capture_output=True,
            timeout=CHECK_SECONDS,
            env={"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"},  # nothing secret for a hostile file
            check=False,
        )
    except subprocess.TimeoutExpired:
        log.warning("Refused a figure that took more than %s seconds to check", CHECK_SECONDS)
        raise ImageProblem(MESSAGES["too_complex"]) from None
    header, _, image = result.stdout.partition(b"\n")
    verdict = _verdict(result, header)
    if verdict.get("ok") and image:
        return CheckedImage(image, verdict["content_type"], verdict["width"], verdict["height"], verdict["source"])
    problem = verdict.get("problem", "damaged")
    log.info("Refused a figure: %s %s", problem, verdict.get("detail", ""))
    details = {
        "width": verdict.get("width", 0),
        "height": verdict.get("height", 0),
        "max_side": MAX_SIDE,
        "max_pixels_m": MAX_PIXELS // 1_000_000,
        "what": verdict.get("what", "a link"),
    }
    raise ImageProblem(MESSAGES.get(problem, MESSAGES["damaged"]).format(**details))


def _verdict(result, header):
    if result.returncode == 0:
        try:
            return json.loads(header)
        except ValueError:
            pass
    # Killed by the CPU or memory limit (a signal), or crashed: either way, not a file we take.
    log.warning("The figure check ended with status %s: %s", result.returncode, result.stderr[-500:])
    return {"problem": "too_complex" if result.returncode < 0 or b"MemoryError" in result.stderr else "damaged"}


def _kind(data):
    """'png', 'jpeg' or 'svg' from the first bytes, else None (the child checks the rest)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    head = data[:SNIFF_BYTES]
    for encoding in ("utf-8", "utf-16"):
        try:
            text = head.decode(encoding, errors="ignore").lstrip("\ufeff \t\r\n")
        except LookupError:  # pragma: no cover
            continue
        if text.startswith("<") and "<svg" in text:
            return "svg"
    return None


# The child process: `python -I imagecheck.py`, the upload on standard input. It prints one line of
# JSON, {"ok": true, "content_type": ..., "width": ..., "height": ..., "source": ...} followed by
# the image, or {"problem": "<key of MESSAGES>", ...} alone.


class _Refusal(Exception):
    def __init__(self, code, **details):
        super().__init__(code)
        self.code = code
        self.details = details


def _limit_resources():
    import resource

    memory = CHECK_MEMORY_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (CHECK_SECONDS, CHECK_SECONDS + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # it writes no file


def _remake_raster(data):
    import warnings

    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    warnings.simplefilter("error", Image.DecompressionBombWarning)
    try:
        image = Image.open(io.BytesIO(data), formats=["PNG", "JPEG"])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _Refusal("too_many_pixels", **_header_size(data)) from None
    except Exception as exc:  # noqa: BLE001 - any failure to read the header is a damaged file
        raise _Refusal("damaged", detail=str(exc)[:200]) from None
    width, height = image.size
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise _Refusal("too_many_pixels", width=width, height=height)
    source = "jpeg" if image.format in ("JPEG", "MPO") else "png"
    try:
        image.load()
        image = ImageOps.exif_transpose(image)
    except Exception as exc:  # noqa: BLE001 - truncated or corrupt pixel data
        raise _Refusal("damaged", detail=str(exc)[:200]) from None
    return _encode(image, source)


def _header_size(data):
    """Width and height as the PNG or JPEG header claims them (for the message), without decoding."""
    try:
        from PIL import Image

        Image.MAX_IMAGE_PIXELS = None
        width, height = Image.open(io.BytesIO(data)).size
        return {"width": width, "height": height}
    except Exception:  # noqa: BLE001
        return {}


def _encode(image, source):
    """PNG (keeps sharp lines and transparency) for PNG and SVG sources, JPEG (quality 90) for photos."""
    from PIL import Image

    image.thumbnail((PRINT_SIDE, PRINT_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if source == "jpeg":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=90, optimize=True)
        content_type = "image/jpeg"
    else:
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=False, compress_level=6)
        content_type = "image/png"
    return out.getvalue(), content_type, image.size, source


_CSS_URL = re.compile(r"""url\(\s*(['"]?)\s*([^'")\s]*)""", re.I)
_SAFE_DATA = re.compile(r"^data:image/(png|jpeg|jpg);", re.I)


def _outside_reference(value):
    """What an href or CSS url() points at, if it is outside the SVG itself; None for #fragments
    and embedded PNG or JPEG images."""
    value = value.strip()
    if not value or value.startswith("#") or _SAFE_DATA.match(value):
        return None
    return value[:60]


def _check_css(css):
    if re.search(r"@import", css, re.I):
        raise _Refusal("svg_external", what="a stylesheet @import")
    for match in _CSS_URL.finditer(css):
        if (outside := _outside_reference(match.group(2))) is not None:
            raise _Refusal("svg_external", what=f"url({outside})")


def _local(name):
    return name.rsplit("}", 1)[-1].lower()


def _check_svg(data):
    """The parsed SVG's root, or _Refusal: not SVG, entities, scripts, external references."""
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise _Refusal("svg_damaged", detail=str(exc)[:200]) from None
    tree = root.getroottree()
    dtd = tree.docinfo.internalDTD
    if (dtd is not None and list(dtd.iterentities())) or b"<!ENTITY" in data.upper():
        raise _Refusal("svg_entities")
    if root.tag != f"{{{SVG_NS}}}svg":
        raise _Refusal("not_image", detail=f"root element {str(root.tag)[:60]!r}")
    for element in root.iter():
        if not isinstance(element.tag, str):  # an entity reference left unresolved
            raise _Refusal("svg_entities")
        name = _local(element.tag)
        namespace = element.tag[1:].split("}", 1)[0] if element.tag.startswith("{") else ""
        if name in {"script", "foreignobject", "iframe", "handler", "listener"}:
            raise _Refusal("svg_script", detail=name)
        if namespace == "http://www.w3.org/2001/XInclude":
            raise _Refusal("svg_external", what="an XInclude")
        if name == "style":
            _check_css(element.text or "")
        for attribute, value in element.attrib.items():
            attribute = _local(attribute)
            if attribute.startswith("on"):
                raise _Refusal("svg_script", detail=attribute)
            if attribute in {"href", "src"}:
                if value.strip().lower().startswith(("javascript:", "vbscript:")):
                    raise _Refusal("svg_script", detail=attribute)
                if (outside := _outside_reference(value)) is not None:
                    raise _Refusal("svg_external", what=outside)
            elif attribute == "style" or "url(" in value.lower():
                _check_css(value)
    return root


def _svg_aspect(root):
    """Width over height from the viewBox, else from width and height; 1 when neither says."""
    view_box = (root.get("viewBox") or "").replace(",", " ").split()
    try:
        if len(view_box) == 4 and float(view_box[2]) > 0 and float(view_box[3]) > 0:
            return float(view_box[2]) / float(view_box[3])
        number = re.compile(r"^\s*([0-9.]+)\s*(px|pt|pc|mm|cm|in)?\s*$")
        width, height = number.match(root.get("width", "")), number.match(root.get("height", ""))
        if width and height and float(width.group(1)) > 0 and float(height.group(1)) > 0:
            return float(width.group(1)) / float(height.group(1))
    except ValueError:
        pass
    return 1.0


def _rasterise_svg(data):
    import resvg_py
    from lxml import etree
    from PIL import Image

    root = _check_svg(data)
    aspect = min(max(_svg_aspect(root), 1 / 20), 20)
    width = PRINT_SIDE if aspect >= 1 else max(1, round(PRINT_SIDE * aspect))
    height = PRINT_SIDE if aspect < 1 else max(1, round(PRINT_SIDE / aspect))
    try:
        png = resvg_py.svg_to_bytes(
            svg_string=etree.tostring(root, encoding="unicode"),
            width=width,
            height=height,
            background="white",
            skip_system_fonts=True,
            font_dirs=[d for d in FONT_DIRS if os.path.isdir(d)],
            font_family="Source Sans 3",
            sans_serif_family="Source Sans 3",
            serif_family="Source Sans 3",
            monospace_family="Source Sans 3",
        )
    except Exception as exc:  # noqa: BLE001 - resvg refuses what it cannot draw
        raise _Refusal("svg_damaged", detail=str(exc)[:200]) from None
    image = Image.open(io.BytesIO(bytes(png)))
    image.load()
    return _encode(image, "svg")


def _main():
    _limit_resources()
    data = sys.stdin.buffer.read()
    try:
        kind = _kind(data)
        if kind is None:
            raise _Refusal("not_image")
        remade = _rasterise_svg(data) if kind == "svg" else _remake_raster(data)
    except _Refusal as refusal:
        sys.stdout.write(json.dumps({"problem": refusal.code, **refusal.details}) + "\n")
        return
    except MemoryError:
        sys.stdout.write(json.dumps({"problem": "too_complex"}) + "\n")
        return
    image, content_type, (width, height), source = remade
    header = {"ok": True, "content_type": content_type, "width": width, "height": height, "source": source}
    sys.stdout.buffer.write(json.dumps(header).encode() + b"\n" + image)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _main()
