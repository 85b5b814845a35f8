"""Rebuilding an uploaded PDF from an allow-list with pikepdf: the child process of reports/pdfcheck.py.

    python -I pdfdisarm.py MAX_PAGES IN_PATH OUT_PATH

prints one line of JSON: {"pages": N, "removed": [...]} with the rebuilt PDF written to OUT_PATH,
or {"problem": "<a key of pdfcheck.MESSAGES>"}.

Nothing of the upload is carried over by default. A new document is made and given only what is
known to be needed to show the pages and inert: each page's boxes, rotation and content; the fonts,
images, colour spaces, patterns, shadings, graphics states and layers the content draws with, each
with only the keys the PDF specification gives it for drawing; the tags (structure tree); the
bookmarks; and links that go to a page of the document or to an http(s) or mailto address. Visible
annotations and filled-in form fields are first flattened into their pages (by qpdf), so what a
reader saw stays on the page. Everything else never reaches the new file: scripts and every other
action, attached and embedded files (/EmbeddedFiles, /AF, file attachment annotations), forms and
XFA, multimedia, links to other files, programs or network shares, external streams, metadata.

Content streams (pages, form XObjects, tiling patterns, Type 3 glyphs) are decoded within a budget
and compressed again, so what is stored is exactly what was checked, and the pack builder, which
reads the stored file with the same library, decodes nothing this did not.
"""

import json
import logging
import math
import re
import sys
import zlib
from decimal import Decimal

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream, String

# Raised whenever the rules below change so that files rebuilt by older rules must be rebuilt again
# (`manage.py disarm_appendices`); reports.models.Appendix stores the version its file was made by.
RULES_VERSION = 1

MB = 1024 * 1024
MAX_TREE_DEPTH = 64
MAX_CONTENT_BYTES = 64 * MB  # decoded content streams in one file: the pack builder decodes them again
MAX_OBJECTS = 2_000_000  # objects visited while rebuilding
MAX_OUTLINE_ITEMS = 20_000
MAX_PLAIN_DEPTH = 6
DEFAULT_MEDIABOX = [0, 0, 612, 792]  # what readers assume when a page gives no size
PAGE_LAYOUTS = {"/SinglePage", "/OneColumn", "/TwoColumnLeft", "/TwoColumnRight", "/TwoPageLeft", "/TwoPageRight"}

WEB_LINK = re.compile(r"(?:https?://[^\s/?#\\@]+(?:[/?#][^\s\\]*)?|mailto:[^\s\\]+)\Z", re.IGNORECASE | re.ASCII)

# What was removed, in the words the author is told.
SCRIPTS = "scripts"
FILES = "attached or embedded files"
OUTSIDE_LINKS = "links that open programs, other files or network shares"
FORMS = "form fields (their contents are kept as text on the page)"
FORM_ACTIONS = "form actions that send or load data"
MULTIMEDIA = "multimedia"
OTHER_ACTIONS = "other actions"

ACTION_KINDS = {
    "/JavaScript": SCRIPTS,
    "/Launch": OUTSIDE_LINKS,
    "/GoToR": OUTSIDE_LINKS,
    "/GoToE": OUTSIDE_LINKS,
    "/GoToDp": OUTSIDE_LINKS,
    "/Thread": OUTSIDE_LINKS,
    "/URI": OUTSIDE_LINKS,  # only those that are not http(s) or mailto are removed
    "/SubmitForm": FORM_ACTIONS,
    "/ImportData": FORM_ACTIONS,
    "/ResetForm": FORM_ACTIONS,
    "/Sound": MULTIMEDIA,
    "/Movie": MULTIMEDIA,
    "/Rendition": MULTIMEDIA,
    "/RichMediaExecute": MULTIMEDIA,
    "/GoTo3DView": MULTIMEDIA,
}
ANNOTATION_KINDS = {
    "/FileAttachment": FILES,
    "/Widget": FORMS,
    "/Sound": MULTIMEDIA,
    "/Movie": MULTIMEDIA,
    "/Screen": MULTIMEDIA,
    "/RichMedia": MULTIMEDIA,
    "/3D": MULTIMEDIA,
}
ACTIONS = {*ACTION_KINDS, "/GoTo", "/Named", "/Hide", "/SetOCGState", "/Trans", "/SetState", "/NOP"}
# Keys that never belong in plain data (attributes, layer usage, marked-content properties).
NOT_DATA_KEYS = {"/JS", "/AA", "/A", "/OpenAction", "/EF", "/RF", "/AF", "/URI", "/Next", "/F", "/FS", "/UF"}
NOT_DATA_TYPES = {"/Action", "/Filespec", "/EmbeddedFile", "/Annot", "/Page", "/Pages", "/Catalog", "/XObject"}


class Refusal(Exception):
    """The file is not one we rebuild; `code` is a key of pdfcheck.MESSAGES."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def _is(obj, kind):
    return isinstance(obj, kind)


def _number(value):
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _objgen(obj):
    try:
        return obj.objgen if obj.is_indirect else None
    except AttributeError:
        return None


class Rebuilder:
    """One upload, rebuilt into `self.out` page by page from allow-lists."""

    def __init__(self, src, max_pages):
        self.src = src
        self.max_pages = max_pages
        self.out = pikepdf.new()
        self.removed = set()
        self.memo = {}  # (objgen of a source object, kind) -> its rebuilt copy
        self.pages = {}  # objgen of a source page -> the new page
        self.page_list = []
        self.annotations = {}  # objgen of a source link -> the new link
        self.visited = 0
        self.content_bytes = 0
        self._named = None

    # Budgets.

    def _tick(self):
        self.visited += 1
        if self.visited > MAX_OBJECTS:
            raise Refusal("too_complex")

    def _content(self, stream):
        """A content stream's data decoded, counted against the budget."""
        data = self._inflate(stream) if stream.get("/Filter") in (Name.FlateDecode, Array([Name.FlateDecode])) else None
        if data is None:
            try:
                data = stream.read_bytes()
            except pikepdf.PdfError as exc:
                raise Refusal("too_complex" if "bad_alloc" in str(exc) else "damaged") from None
        self.content_bytes += len(data)
        if self.content_bytes > MAX_CONTENT_BYTES:
            raise Refusal("too_complex")
        return data

    def _inflate(self, stream):
        """A Flate stream without predictors decoded a megabyte at a time, stopping at the budget,
        so a bomb is refused before it is inflated; None to leave the decoding to qpdf."""
        if stream.get("/DecodeParms") not in (None, Dictionary(), Array()):
            return None
        decoder, parts = zlib.decompressobj(), []
        pending, room = stream.read_raw_bytes(), MAX_CONTENT_BYTES - self.content_bytes
        try:
            while pending and not decoder.eof:
                parts.append(decoder.decompress(pending, MB))
                room -= len(parts[-1])
                if room < 0:
                    raise Refusal("too_complex")
                pending = decoder.unconsumed_tail
                if not parts[-1] and not pending:
                    break
        except zlib.error:
            return None  # damaged data: qpdf recovers what it can, as readers do
        return b"".join(parts)

    # The whole document.

    def rebuild(self):
        if self.src.is_encrypted:
            raise Refusal("encrypted")
        root = self.src.Root
        leaves = self._page_tree(root.get("/Pages"))
        if not leaves:
            raise Refusal("no_pages")
        self._survey_catalog(root)
        links = self._flatten(leaves)
        for page, inherited in leaves:
            self._page(page, inherited)
        for page, page_links in zip(self.page_list, links, strict=True):
            self._links(page, page_links)
        self._catalog(root)
        return self.out

    def _page_tree(self, top):
        """The leaves of the page tree with their inherited attributes, refusing loops, shared
        subtrees, absurd depth and more than `max_pages` pages (however many the file claims)."""
        if not _is(top, Dictionary):
            raise Refusal("damaged")
        leaves, seen = [], set()
        stack = [(top, 0, {})]
        while stack:
            node, depth, inherited = stack.pop()
            self._tick()
            if not _is(node, Dictionary) or depth > MAX_TREE_DEPTH:
                raise Refusal("damaged")
            inherited = dict(inherited)
            for name in ("/Resources", "/MediaBox", "/CropBox", "/Rotate"):
                if name in node:
                    inherited[name] = node[name]
            kind = node.get("/Type")
            if kind == Name.Pages or (kind is None and "/Kids" in node):
                key = _objgen(node) or id(node)
                if key in seen:
                    raise Refusal("damaged")  # a loop, or one subtree hung in several places
                seen.add(key)
                kids = node.get("/Kids")
                if not _is(kids, Array):
                    raise Refusal("damaged")
                stack.extend((kid, depth + 1, inherited) for kid in reversed(list(kids)))
            else:
                leaves.append((node, inherited))
                if len(leaves) > self.max_pages:
                    raise Refusal("too_many_pages")
        return leaves

    def _survey_catalog(self, root):
        """Note what the document carries that will not be kept, to tell the author."""
        if "/OpenAction" in root and not _is(root.OpenAction, Array):
            self._note_action(root.OpenAction)
        self._note_triggers(root.get("/AA"))
        names = root.get("/Names")
        if _is(names, Dictionary):
            if "/JavaScript" in names:
                self.removed.add(SCRIPTS)
            if "/EmbeddedFiles" in names:
                self.removed.add(FILES)
        if "/AF" in root or "/Collection" in root:
            self.removed.add(FILES)
        form = root.get("/AcroForm")
        if _is(form, Dictionary) and ("/XFA" in form or _is(form.get("/Fields"), Array) and len(form.Fields)):
            self.removed.add(FORMS)
            fields, seen = list(form.get("/Fields", Array())), set()
            while fields and len(seen) < MAX_OUTLINE_ITEMS:
                field = fields.pop()
                if _is(field, Dictionary) and (_objgen(field) or id(field)) not in seen:
                    seen.add(_objgen(field) or id(field))
                    self._note_triggers(field.get("/AA"))
                    self._note_action(field.get("/A"))
                    fields.extend(field.get("/Kids", Array()) if _is(field.get("/Kids"), Array) else [])

    def _note_action(self, action, budget=200):
        """Add the kinds of an action and of those chained after it (/Next) to what was removed."""
        pending = [action]
        while pending and budget > 0:
            budget -= 1
            item = pending.pop()
            if _is(item, Array):
                pending.extend(item)
            elif _is(item, Dictionary):
                kind = item.get("/S")
                if kind == Name.URI and self._web_link(item.get("/URI")):
                    pass
                elif kind is not None and kind != Name.GoTo:
                    self.removed.add(ACTION_KINDS.get(str(kind), OTHER_ACTIONS))
                if "/JS" in item:
                    self.removed.add(SCRIPTS)
                pending.append(item.get("/Next"))

    def _note_triggers(self, triggers):
        if _is(triggers, Dictionary):
            for action in triggers.values():
                self._note_action(action)

    def _flatten(self, leaves):
        """Set each page's links aside, then let qpdf draw every other visible annotation (form
        fields included) into its page; returns the links, page by page."""
        links = []
        for page, _ in leaves:
            self._note_triggers(page.get("/AA"))
            if "/AF" in page:
                self.removed.add(FILES)
            annotations = page.get("/Annots")
            kept, page_links = Array(), []
            for annotation in annotations if _is(annotations, Array) else []:
                self._tick()
                if not _is(annotation, Dictionary):
                    continue
                subtype = annotation.get("/Subtype")
                self._note_triggers(annotation.get("/AA"))
                if subtype == Name.Link:
                    page_links.append(annotation)
                    continue
                if subtype is not None and str(subtype) in ANNOTATION_KINDS:
                    self.removed.add(ANNOTATION_KINDS[str(subtype)])
                if "/A" in annotation:
                    self._note_action(annotation.A)
                kept.append(annotation)
            if annotations is not None:
                page.Annots = kept
            links.append(page_links)
        form = self.src.Root.get("/AcroForm")
        try:
            if _is(form, Dictionary) and form.get("/NeedAppearances"):
                self.src.generate_appearance_streams()
            self.src.flatten_annotations("screen")
        except (pikepdf.PdfError, RuntimeError, ValueError):
            logging.getLogger(__name__).info("Annotations could not be flattened; they are left out")
        return links

    def _catalog(self, src_root):
        root = self.out.Root
        lang = src_root.get("/Lang")
        if _is(lang, String):
            root.Lang = String(bytes(lang)[:100])
        tree = src_root.get("/StructTreeRoot")
        if _is(tree, Dictionary):
            self._structure(tree)
            root.MarkInfo = Dictionary(Marked=True)
        layers = src_root.get("/OCProperties")
        if _is(layers, Dictionary):
            root.OCProperties = self._layer_properties(layers)
        if str(src_root.get("/PageLayout")) in PAGE_LAYOUTS:
            root.PageLayout = Name(str(src_root.PageLayout))
        preferences = src_root.get("/ViewerPreferences")
        if _is(preferences, Dictionary) and preferences.get("/DisplayDocTitle") is True:
            root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
        outline = src_root.get("/Outlines")
        if _is(outline, Dictionary):
            self._outline(outline)
            if src_root.get("/PageMode") == Name.UseOutlines:
                root.PageMode = Name.UseOutlines
        self._document_info()

    def _document_info(self):
        info = self.src.trailer.get("/Info")
        if not _is(info, Dictionary):
            return
        for key in ("/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/Producer", "/CreationDate", "/ModDate"):
            value = info.get(key)
            if _is(value, String):
                self.out.docinfo[key] = String(bytes(value)[:2000])
        with self.out.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta.load_from_docinfo(self.out.docinfo)

    # Pages.

    def _page(self, page, inherited):
        self._tick()
        new = self.out.make_indirect(Dictionary(Type=Name.Page))
        new.MediaBox = self._box(page.get("/MediaBox", inherited.get("/MediaBox"))) or Array(DEFAULT_MEDIABOX)
        for key in ("/CropBox", "/BleedBox", "/TrimBox", "/ArtBox"):
            box = self._box(page.get(key, inherited.get(key)))
            if box is not None:
                new[key] = box
        rotate = page.get("/Rotate", inherited.get("/Rotate"))
        if isinstance(rotate, int) and rotate % 90 == 0:
            new.Rotate = rotate % 360
        if _number(page.get("/UserUnit")):
            new.UserUnit = page.UserUnit
        if isinstance(page.get("/StructParents"), int):
            new.StructParents = page.StructParents
        if page.get("/Tabs") in (Name.R, Name.C, Name.S):
            new.Tabs = page.Tabs
        group = self._group(page.get("/Group"))
        if group is not None:
            new.Group = group
        new.Resources = self._resources(page.get("/Resources", inherited.get("/Resources"))) or Dictionary()
        new.Contents = self.out.make_indirect(self._flate(self._page_content(page.get("/Contents"))))
        self.out.pages.append(pikepdf.Page(new))
        added = self.out.pages[-1].obj
        self.pages.setdefault(_objgen(page), added)  # a page listed twice is drawn twice; links go to the first
        self.page_list.append(added)

    def _page_content(self, contents):
        streams = contents if _is(contents, Array) else [contents]
        parts = []
        for stream in streams:
            self._tick()
            if _is(stream, Stream):
                parts.append(self._content(stream))
            elif stream is not None:
                raise Refusal("damaged")
        return b"\n".join(parts)

    def _flate(self, data):
        stream = Stream(self.out, b"")
        stream.write(zlib.compress(data, 6), filter=Name.FlateDecode)
        return stream

    @staticmethod
    def _box(value):
        if _is(value, Array) and len(value) == 4 and all(_number(v) for v in value):
            return Array([float(v) for v in value])
        return None

    # Plain data: numbers, names, strings and small arrays and dictionaries of them.

    def _plain(self, obj, depth=0):
        self._tick()
        if obj is None or isinstance(obj, bool | int) or _number(obj):
            return obj
        if _is(obj, Name):
            return Name(str(obj))
        if _is(obj, String):
            return String(bytes(obj))
        if depth >= MAX_PLAIN_DEPTH or (depth > 1 and _objgen(obj)) or _is(obj, Stream):
            return None
        if _is(obj, Array):
            return Array([self._plain(item, depth + 1) for item in obj])
        if _is(obj, Dictionary):
            if str(obj.get("/Type")) in NOT_DATA_TYPES or str(obj.get("/S")) in ACTIONS:
                return None
            new = Dictionary()
            for key, value in obj.items():
                if key not in NOT_DATA_KEYS:
                    copied = self._plain(value, depth + 1)
                    if copied is not None:
                        new[key] = copied
            return new
        return None

    # Drawing resources, each kind from its own allow-list.

    def _memo(self, obj, kind, make):
        """The rebuilt copy of `obj` as `kind`; an indirect object is rebuilt once and shared."""
        self._tick()
        key = _objgen(obj)
        if key is None:
            return make(obj, None)
        if (key, kind) not in self.memo:
            self.memo[(key, kind)] = None  # a reference back to itself while rebuilding is dropped
            self.memo[(key, kind)] = make(obj, (key, kind))
        return self.memo[(key, kind)]

    def _fill(self, new, memo_key):
        """Make `new` indirect and record it before its insides are rebuilt, so cycles end."""
        new = self.out.make_indirect(new)
        if memo_key is not None:
            self.memo[memo_key] = new
        return new

    def _keys(self, src, new, schema):
        if "/AF" in src:
            self.removed.add(FILES)
        if "/OPI" in src or "/Ref" in src:
            self.removed.add(OUTSIDE_LINKS)
        for key, kind in schema.items():
            if key not in src:
                continue
            value = self._value(src[key], kind)
            if value is not None:
                new[key] = value

    def _value(self, value, kind):
        if kind == "plain":
            return self._plain(value)
        if kind == "name":
            return Name(str(value)) if _is(value, Name) else None
        if kind == "int":
            return value if isinstance(value, int) and not isinstance(value, bool) else None
        if kind == "string":
            return String(bytes(value)) if _is(value, String) else None
        return getattr(self, "_" + kind)(value)

    def _each(self, value, kind):
        """A dictionary of named resources of one kind."""
        if not _is(value, Dictionary):
            return None
        new = Dictionary()
        for name, item in value.items():
            copied = self._value(item, kind)
            if copied is not None:
                new[name] = copied
        return new

    def _resources(self, value):
        if not _is(value, Dictionary):
            return None

        def make(src, memo_key):
            new = Dictionary()
            if memo_key is not None:
                new = self._fill(new, memo_key)
            for key, kind in RESOURCES.items():
                if key in src:
                    copied = self._plain(src[key]) if kind == "plain" else self._each(src[key], kind)
                    if copied is not None:
                        new[key] = copied
            return new

        return self._memo(value, "resources", make)

    def _dict_or_stream(self, value, kind, schema, content=False, indirect=False):
        """A dictionary or stream of `kind`, keeping only the keys in `schema`.

        A content stream is decoded and compressed again; any other stream's data is copied as it
        is, with its filters (fonts, images and the like, which the pack builder never decodes).
        """
        if _is(value, Stream):

            def make(src, memo_key):
                if content:
                    new = self._flate(self._content(src))
                else:
                    new = Stream(self.out, b"")
                    self._raw(src, new)
                new = self._fill(new, memo_key)
                self._keys(src, new, schema)
                return new

            return self._memo(value, kind, make)
        if _is(value, Dictionary) and not content:

            def make(src, memo_key):
                new = Dictionary()
                if memo_key is not None or indirect:
                    new = self._fill(new, memo_key)
                self._keys(src, new, schema)
                return new

            return self._memo(value, kind, make)
        return None

    def _raw(self, src, new):
        if "/F" in src or "/FFilter" in src:
            self.removed.add(OUTSIDE_LINKS)  # a stream whose data is in another file: left empty
            return
        filters = src.get("/Filter")
        parms = src.get("/DecodeParms")
        filters = self._plain(filters) if _is(filters, Name) or _is(filters, Array) else None
        parms = self._decode_parms(parms)
        try:
            new.write(src.read_raw_bytes(), filter=filters, decode_parms=parms)
        except (pikepdf.PdfError, TypeError, ValueError):
            raise Refusal("damaged") from None

    def _decode_parms(self, parms):
        if _is(parms, Array):
            return Array([self._decode_parms(p) or None for p in parms])
        if not _is(parms, Dictionary):
            return None
        new = Dictionary()
        for key, value in parms.items():
            if key == "/JBIG2Globals":
                globals_ = self._dict_or_stream(value, "jbig2globals", {})
                if globals_ is not None:
                    new[key] = globals_
            else:
                copied = self._plain(value)
                if copied is not None:
                    new[key] = copied
        return new

    def _xobject(self, value):
        if not _is(value, Stream):
            return None
        subtype = value.get("/Subtype")
        if subtype == Name.Form:
            return self._dict_or_stream(value, "form", FORM_XOBJECT, content=True)
        if subtype == Name.Image:
            return self._image(value)
        return None  # PostScript and anything else a viewer would not draw

    def _image(self, value):
        return self._dict_or_stream(value, "image", IMAGE) if _is(value, Stream) else None

    def _mask(self, value):
        if _is(value, Array):
            return self._plain(value)
        return self._image(value)

    def _group(self, value):
        return self._dict_or_stream(value, "group", GROUP) if _is(value, Dictionary) else None

    def _colorspace(self, value):
        if _is(value, Name):
            return Name(str(value))
        if not _is(value, Array) or not len(value):
            return None

        def make(src, memo_key):
            family = src[0]
            if not _is(family, Name):
                return None
            items = [Name(str(family))]
            rest = list(src)[1:]
            if family == Name.ICCBased and rest:
                profile = self._dict_or_stream(rest[0], "icc", ICC_PROFILE)
                items += [profile] if profile is not None else []
            elif family == Name.Indexed and len(rest) == 3:
                lookup = rest[2]
                lookup = String(bytes(lookup)) if _is(lookup, String) else self._dict_or_stream(lookup, "lookup", {})
                items += [self._colorspace(rest[0]), self._plain(rest[1]), lookup]
            elif family == Name.Separation and len(rest) == 3:
                items += [self._plain(rest[0]), self._colorspace(rest[1]), self._function(rest[2])]
            elif family == Name.DeviceN and len(rest) >= 3:
                items += [self._plain(rest[0]), self._colorspace(rest[1]), self._function(rest[2])]
                if len(rest) > 3:
                    items.append(self._dict_or_stream(rest[3], "devicen", DEVICEN_ATTRIBUTES))
            elif family == Name.Pattern:
                items += [self._colorspace(rest[0])] if rest else []
            elif family in (Name.CalGray, Name.CalRGB, Name.Lab) and rest:
                items.append(self._plain(rest[0]))
            elif family in (Name.DeviceGray, Name.DeviceRGB, Name.DeviceCMYK) and not rest:
                pass
            else:
                return None
            if any(item is None for item in items):
                return None
            new = Array(items)
            return self._fill(new, memo_key) if memo_key is not None else new

        return self._memo(value, "colorspace", make)

    def _colorspaces(self, value):
        return self._each(value, "colorspace")

    def _function(self, value):
        if _is(value, Array):
            return Array([self._function(item) for item in value])
        if _is(value, Name):
            return Name(str(value)) if value == Name.Identity else None
        return self._dict_or_stream(value, "function", FUNCTION)

    def _functions(self, value):
        return self._function(value)

    def _shading(self, value):
        return self._dict_or_stream(value, "shading", SHADING)

    def _pattern(self, value):
        if _is(value, Stream):
            return self._dict_or_stream(value, "tiling", TILING_PATTERN, content=True)
        return self._dict_or_stream(value, "shading_pattern", SHADING_PATTERN, indirect=True)

    def _extgstate(self, value):
        return self._dict_or_stream(value, "extgstate", EXTGSTATE)

    def _gsfont(self, value):
        if _is(value, Array) and len(value) == 2:
            font = self._font(value[0])
            return Array([font, self._plain(value[1])]) if font is not None else None
        return None

    def _softmask(self, value):
        if _is(value, Name):
            return Name(str(value)) if value == Name("/None") else None
        return self._dict_or_stream(value, "softmask", SOFT_MASK)

    def _transfer(self, value):
        if _is(value, Name):
            return Name(str(value)) if value in (Name.Identity, Name.Default) else None
        return self._function(value)

    def _form(self, value):
        if _is(value, Stream) and value.get("/Subtype") == Name.Form:
            return self._dict_or_stream(value, "form", FORM_XOBJECT, content=True)
        return None

    def _font(self, value):
        return self._dict_or_stream(value, "font", FONT, indirect=True)

    def _fonts(self, value):
        if _is(value, Array):
            fonts = [self._font(item) for item in value]
            return Array([f for f in fonts if f is not None])
        return None

    def _descriptor(self, value):
        return self._dict_or_stream(value, "descriptor", FONT_DESCRIPTOR, indirect=True)

    def _descriptors(self, value):
        return self._each(value, "descriptor")

    def _fontfile(self, value):
        return self._dict_or_stream(value, "fontfile", FONT_FILE) if _is(value, Stream) else None

    def _datastream(self, value):
        return self._dict_or_stream(value, "data", {}) if _is(value, Stream) else None

    def _encoding(self, value):
        if _is(value, Name):
            return Name(str(value))
        if _is(value, Stream):
            return self._cmap(value)
        return self._dict_or_stream(value, "encoding", ENCODING)

    def _cmap(self, value):
        if _is(value, Name):
            return Name(str(value))
        return self._dict_or_stream(value, "cmap", CMAP) if _is(value, Stream) else None

    def _gidmap(self, value):
        return Name(str(value)) if value == Name.Identity else self._datastream(value)

    def _glyphs(self, value):
        if not _is(value, Dictionary):
            return None
        new = Dictionary()
        for name, glyph in value.items():
            if _is(glyph, Stream):
                new[name] = self._dict_or_stream(glyph, "glyph", {}, content=True)
        return new

    def _properties(self, value):
        """A marked-content property list: a layer, or plain data."""
        if _is(value, Dictionary) and value.get("/Type") in (Name.OCG, Name.OCMD):
            return self._oc(value)
        return self._plain(value)

    # Layers (optional content), so what the author hid stays hidden.

    def _oc(self, value):
        if not _is(value, Dictionary):
            return None
        if value.get("/Type") == Name.OCMD:
            return self._dict_or_stream(value, "ocmd", OCMD, indirect=True)
        if value.get("/Type") == Name.OCG:
            return self._dict_or_stream(value, "ocg", OCG, indirect=True)
        return None

    def _ocs(self, value):
        if _is(value, Array):
            return Array([g for g in (self._oc(item) for item in value) if g is not None])
        return self._oc(value)

    def _visibility(self, value, depth=0):
        if _is(value, Name):
            return Name(str(value))
        if _is(value, Array) and depth < MAX_PLAIN_DEPTH:
            items = [self._visibility(item, depth + 1) for item in value]
            return Array([i for i in items if i is not None])
        return self._oc(value)

    def _order(self, value, depth=0):
        if _is(value, String):
            return String(bytes(value))
        if _is(value, Array) and depth < MAX_PLAIN_DEPTH:
            items = [self._order(item, depth + 1) for item in value]
            return Array([i for i in items if i is not None])
        return self._oc(value)

    def _groups_of_ocs(self, value):
        if _is(value, Array):
            return Array([self._ocs(item) for item in value if _is(item, Array)])
        return None

    def _usage_applications(self, value):
        if _is(value, Array):
            return Array(
                [self._dict_or_stream(item, "usage", USAGE_APPLICATION) for item in value if _is(item, Dictionary)]
            )
        return None

    def _layer_config(self, value):
        return self._dict_or_stream(value, "occonfig", OC_CONFIG) if _is(value, Dictionary) else None

    def _layer_configs(self, value):
        if _is(value, Array):
            return Array([c for c in (self._layer_config(item) for item in value) if c is not None])
        return None

    def _layer_properties(self, value):
        new = Dictionary()
        self._keys(value, new, OC_PROPERTIES)
        return new

    # Links, destinations and bookmarks.

    @staticmethod
    def _web_link(uri):
        if not _is(uri, String):
            return None
        try:
            text = bytes(uri).decode("ascii")
        except UnicodeDecodeError:
            return None
        return text if WEB_LINK.match(text) else None

    def _destination(self, dest, depth=0):
        """An explicit destination in the new document for a source destination, or None."""
        if _is(dest, Name) or _is(dest, String):
            dest = self._named_destination(dest)
        if _is(dest, Dictionary) and depth < 2:
            return self._destination(dest.get("/D"), depth + 1)
        if not _is(dest, Array) or not len(dest):
            return None
        target = dest[0]
        if _is(target, Dictionary):
            page = self.pages.get(_objgen(target))
        elif isinstance(target, int) and 0 <= target < len(self.page_list):
            page = self.page_list[target]
        else:
            page = None
        view = list(dest)[1:6]
        if page is None or not view or not _is(view[0], Name):
            return None
        return Array([page, Name(str(view[0]))] + [v if v is None or _number(v) else None for v in view[1:]])

    def _named_destination(self, name):
        if self._named is None:
            self._named = {}
            root = self.src.Root
            old = root.get("/Dests")
            if _is(old, Dictionary):
                for key, value in old.items():
                    self._tick()
                    self._named[("name", key)] = value
            names = root.get("/Names")
            if _is(names, Dictionary):
                for key, value in self._name_tree(names.get("/Dests")):
                    self._named[("string", key)] = value
        if _is(name, Name):
            return self._named.get(("name", str(name)))
        return self._named.get(("string", bytes(name)))

    def _name_tree(self, node):
        seen, stack = set(), [(node, 0)]
        while stack:
            node, depth = stack.pop()
            self._tick()
            if not _is(node, Dictionary) or depth > MAX_TREE_DEPTH or (_objgen(node) or id(node)) in seen:
                continue
            seen.add(_objgen(node) or id(node))
            pairs = node.get("/Names")
            if _is(pairs, Array):
                for index in range(0, len(pairs) - 1, 2):
                    if _is(pairs[index], String):
                        yield bytes(pairs[index]), pairs[index + 1]
            kids = node.get("/Kids")
            if _is(kids, Array):
                stack.extend((kid, depth + 1) for kid in kids)

    def _link_target(self, link):
        """("dest", array) or ("uri", text) for a link we keep; None (noting why) for any other."""
        action = link.get("/A")
        if action is None:
            dest = self._destination(link.get("/Dest"))
            return ("dest", dest) if dest is not None else None
        if not _is(action, Dictionary):
            return None
        kind = action.get("/S")
        found = None
        if kind == Name.GoTo:
            dest = self._destination(action.get("/D"))
            found = ("dest", dest) if dest is not None else None
        elif kind == Name.URI:
            uri = self._web_link(action.get("/URI"))
            found = ("uri", uri) if uri else None
        if found is None or "/Next" in action or "/JS" in action:
            self._note_action(action)
        return found

    def _links(self, page, links):
        kept = Array()
        for link in links:
            self._tick()
            target = self._link_target(link)
            rect = self._box(link.get("/Rect"))
            if target is None or rect is None:
                continue
            new = self.out.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=rect, P=page))
            self._keys(link, new, LINK)
            if target[0] == "dest":
                new.Dest = target[1]
            else:
                new.A = Dictionary(S=Name.URI, URI=String(target[1]))
            kept.append(new)
            if _objgen(link):
                self.annotations[_objgen(link)] = new
        if len(kept):
            page.Annots = kept

    def _outline(self, outline):
        items, count = [], [0]
        self._outline_items(outline.get("/First"), items, count, set(), 0)
        if items:
            with self.out.open_outline() as new:
                new.root.extend(items)

    def _outline_items(self, item, into, count, seen, depth):
        while _is(item, Dictionary) and depth <= MAX_TREE_DEPTH:
            self._tick()
            key = _objgen(item) or id(item)
            count[0] += 1
            if key in seen or count[0] > MAX_OUTLINE_ITEMS:
                return
            seen.add(key)
            title = item.get("/Title")
            title = str(title)[:1000] if _is(title, String) else ""
            dest = None
            if "/A" in item:
                action = item.A
                if _is(action, Dictionary) and action.get("/S") == Name.GoTo:
                    dest = self._destination(action.get("/D"))
                if dest is None or "/Next" in action:
                    self._note_action(action)
            else:
                dest = self._destination(item.get("/Dest"))
            new = pikepdf.OutlineItem(title, dest)
            self._outline_items(item.get("/First"), new.children, count, seen, depth + 1)
            into.append(new)
            item = item.get("/Next")

    # Tags: the structure tree, rebuilt element by element.

    def _structure(self, tree):
        new_root = self.out.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        elements = {}  # objgen of a source element -> its copy
        kids = tree.get("/K")
        top = self._elements(kids, new_root, elements)
        if top is not None:
            new_root.K = top
        role_map = tree.get("/RoleMap")
        if _is(role_map, Dictionary):
            new_root.RoleMap = Dictionary({k: Name(str(v)) for k, v in role_map.items() if _is(v, Name)})
        class_map = tree.get("/ClassMap")
        if _is(class_map, Dictionary):
            new_root.ClassMap = self._plain(class_map)
        nums = Array()
        for key, value in self._number_tree(tree.get("/ParentTree")):
            if _is(value, Array):
                mapped = Array([elements.get(_objgen(e)) for e in value])
            else:
                mapped = elements.get(_objgen(value))
            nums.append(key)
            nums.append(mapped)
        new_root.ParentTree = self.out.make_indirect(Dictionary(Nums=nums))
        next_key = tree.get("/ParentTreeNextKey")
        if isinstance(next_key, int):
            new_root.ParentTreeNextKey = next_key
        self.out.Root.StructTreeRoot = new_root

    def _elements(self, kids, parent, elements):
        """The copies of `kids` (an element, marked-content reference or array of them) under `parent`."""
        work = []  # (source kids, the new parent) waiting to be copied, depth first

        def copy_kids(value, new_parent):
            items = list(value) if _is(value, Array) else [value]
            copied = Array()
            for item in items:
                self._tick()
                kid = self._structure_kid(item, new_parent, elements, work)
                if kid is not None:
                    copied.append(kid)
            return copied

        top = copy_kids(kids, parent)
        while work:
            source, new = work.pop()
            result = copy_kids(source.get("/K"), new)
            if len(result):
                new.K = result if len(result) > 1 else result[0]
        if not len(top):
            return None
        return top if len(top) > 1 else top[0]

    def _structure_kid(self, item, parent, elements, work):
        if isinstance(item, int) and not isinstance(item, bool):
            return item  # a marked-content identifier on the element's page
        if not _is(item, Dictionary):
            return None
        kind = item.get("/Type")
        if kind == Name.MCR:
            page = self.pages.get(_objgen(item.get("/Pg")))
            stream = self.memo.get((_objgen(item.get("/Stm")), "form")) if "/Stm" in item else None
            if not isinstance(item.get("/MCID"), int) or ("/Stm" in item and stream is None):
                return None
            if "/Pg" in item and page is None:
                return None
            new = Dictionary(Type=Name.MCR, MCID=item.MCID)
            if page is not None:
                new.Pg = page
            if stream is not None:
                new.Stm = stream
            return new
        if kind == Name.OBJR:
            target = self.annotations.get(_objgen(item.get("/Obj"))) or self.memo.get(
                (_objgen(item.get("/Obj")), "form")
            )
            page = self.pages.get(_objgen(item.get("/Pg")))
            if target is None:
                return None
            new = Dictionary(Type=Name.OBJR, Obj=target)
            if page is not None:
                new.Pg = page
            return new
        if "/S" not in item or not _is(item.S, Name):
            return None
        key = _objgen(item)
        if key in elements:
            return None  # an element hung in two places is kept in the first
        new = self.out.make_indirect(Dictionary(Type=Name.StructElem, S=Name(str(item.S)), P=parent))
        if key is not None:
            elements[key] = new
        self._keys(item, new, STRUCT_ELEMENT)
        page = self.pages.get(_objgen(item.get("/Pg")))
        if page is not None:
            new.Pg = page
        if "/AF" in item:
            self.removed.add(FILES)
        work.append((item, new))
        return new

    def _number_tree(self, node):
        seen, stack = set(), [(node, 0)]
        while stack:
            node, depth = stack.pop()
            self._tick()
            if not _is(node, Dictionary) or depth > MAX_TREE_DEPTH or (_objgen(node) or id(node)) in seen:
                continue
            seen.add(_objgen(node) or id(node))
            nums = node.get("/Nums")
            if _is(nums, Array):
                for index in range(0, len(nums) - 1, 2):
                    if isinstance(nums[index], int):
                        yield int(nums[index]), nums[index + 1]
            kids = node.get("/Kids")
            if _is(kids, Array):
                stack.extend((kid, depth + 1) for kid in kids)


RESOURCES = {
    "/ExtGState": "extgstate",
    "/ColorSpace": "colorspace",
    "/Pattern": "pattern",
    "/Shading": "shading",
    "/XObject": "xobject",
    "/Font": "font",
    "/ProcSet": "plain",
    "/Properties": "properties",
}
FORM_XOBJECT = {
    "/Type": "name",
    "/Subtype": "name",
    "/FormType": "int",
    "/BBox": "plain",
    "/Matrix": "plain",
    "/Resources": "resources",
    "/Group": "group",
    "/StructParent": "int",
    "/StructParents": "int",
    "/OC": "oc",
}
IMAGE = {
    "/Type": "name",
    "/Subtype": "name",
    "/Width": "int",
    "/Height": "int",
    "/ColorSpace": "colorspace",
    "/BitsPerComponent": "int",
    "/Intent": "name",
    "/ImageMask": "plain",
    "/Mask": "mask",
    "/Decode": "plain",
    "/Interpolate": "plain",
    "/SMask": "image",
    "/SMaskInData": "int",
    "/Matte": "plain",
    "/StructParent": "int",
    "/OC": "oc",
}
GROUP = {"/Type": "name", "/S": "name", "/CS": "colorspace", "/I": "plain", "/K": "plain"}
ICC_PROFILE = {"/N": "int", "/Alternate": "colorspace", "/Range": "plain"}
DEVICEN_ATTRIBUTES = {"/Subtype": "name", "/Colorants": "colorspaces", "/Process": "plain", "/MixingHints": "plain"}
FUNCTION = {
    "/FunctionType": "int",
    "/Domain": "plain",
    "/Range": "plain",
    "/Size": "plain",
    "/BitsPerSample": "int",
    "/Order": "int",
    "/Encode": "plain",
    "/Decode": "plain",
    "/C0": "plain",
    "/C1": "plain",
    "/N": "plain",
    "/Functions": "functions",
    "/Bounds": "plain",
}
SHADING = {
    "/ShadingType": "int",
    "/ColorSpace": "colorspace",
    "/Background": "plain",
    "/BBox": "plain",
    "/AntiAlias": "plain",
    "/Coords": "plain",
    "/Domain": "plain",
    "/Function": "functions",
    "/Extend": "plain",
    "/Matrix": "plain",
    "/BitsPerCoordinate": "int",
    "/BitsPerComponent": "int",
    "/BitsPerFlag": "int",
    "/Decode": "plain",
    "/VerticesPerRow": "int",
}
TILING_PATTERN = {
    "/Type": "name",
    "/PatternType": "int",
    "/PaintType": "int",
    "/TilingType": "int",
    "/BBox": "plain",
    "/XStep": "plain",
    "/YStep": "plain",
    "/Resources": "resources",
    "/Matrix": "plain",
}
SHADING_PATTERN = {
    "/Type": "name",
    "/PatternType": "int",
    "/Shading": "shading",
    "/Matrix": "plain",
    "/ExtGState": "extgstate",
}
EXTGSTATE = {
    "/Type": "name",
    "/LW": "plain",
    "/LC": "plain",
    "/LJ": "plain",
    "/ML": "plain",
    "/D": "plain",
    "/RI": "name",
    "/OP": "plain",
    "/op": "plain",
    "/OPM": "plain",
    "/Font": "gsfont",
    "/BG": "function",
    "/BG2": "transfer",
    "/UCR": "function",
    "/UCR2": "transfer",
    "/TR": "transfer",
    "/TR2": "transfer",
    "/FL": "plain",
    "/SM": "plain",
    "/SA": "plain",
    "/BM": "plain",
    "/SMask": "softmask",
    "/CA": "plain",
    "/ca": "plain",
    "/AIS": "plain",
    "/TK": "plain",
    "/UseBlackPtComp": "name",
}
SOFT_MASK = {"/Type": "name", "/S": "name", "/G": "form", "/BC": "plain", "/TR": "transfer"}
FONT = {
    "/Type": "name",
    "/Subtype": "name",
    "/Name": "name",
    "/BaseFont": "name",
    "/FirstChar": "int",
    "/LastChar": "int",
    "/Widths": "plain",
    "/FontDescriptor": "descriptor",
    "/Encoding": "encoding",
    "/ToUnicode": "cmap",
    "/DescendantFonts": "fonts",
    "/CIDSystemInfo": "plain",
    "/DW": "plain",
    "/W": "plain",
    "/DW2": "plain",
    "/W2": "plain",
    "/CIDToGIDMap": "gidmap",
    "/FontBBox": "plain",
    "/FontMatrix": "plain",
    "/CharProcs": "glyphs",
    "/Resources": "resources",
}
FONT_DESCRIPTOR = {
    "/Type": "name",
    "/FontName": "name",
    "/FontFamily": "string",
    "/FontStretch": "name",
    "/FontWeight": "plain",
    "/Flags": "int",
    "/FontBBox": "plain",
    "/ItalicAngle": "plain",
    "/Ascent": "plain",
    "/Descent": "plain",
    "/Leading": "plain",
    "/CapHeight": "plain",
    "/XHeight": "plain",
    "/StemV": "plain",
    "/StemH": "plain",
    "/AvgWidth": "plain",
    "/MaxWidth": "plain",
    "/MissingWidth": "plain",
    "/FontFile": "fontfile",
    "/FontFile2": "fontfile",
    "/FontFile3": "fontfile",
    "/CharSet": "string",
    "/Style": "plain",
    "/Lang": "name",
    "/FD": "descriptors",
    "/CIDSet": "datastream",
}
FONT_FILE = {"/Length1": "int", "/Length2": "int", "/Length3": "int", "/Subtype": "name"}
ENCODING = {"/Type": "name", "/BaseEncoding": "name", "/Differences": "plain"}
CMAP = {"/Type": "name", "/CMapName": "name", "/CIDSystemInfo": "plain", "/WMode": "int", "/UseCMap": "cmap"}
OCG = {"/Type": "name", "/Name": "string", "/Intent": "plain", "/Usage": "plain"}
OCMD = {"/Type": "name", "/OCGs": "ocs", "/P": "name", "/VE": "visibility"}
OC_PROPERTIES = {"/OCGs": "ocs", "/D": "layer_config", "/Configs": "layer_configs"}
OC_CONFIG = {
    "/Name": "string",
    "/Creator": "string",
    "/BaseState": "name",
    "/ON": "ocs",
    "/OFF": "ocs",
    "/Intent": "plain",
    "/AS": "usage_applications",
    "/Order": "order",
    "/ListMode": "name",
    "/RBGroups": "groups_of_ocs",
    "/Locked": "ocs",
}
USAGE_APPLICATION = {"/Event": "name", "/OCGs": "ocs", "/Category": "plain"}
LINK = {
    "/Contents": "string",
    "/NM": "string",
    "/F": "int",
    "/Border": "plain",
    "/C": "plain",
    "/BS": "plain",
    "/H": "name",
    "/QuadPoints": "plain",
    "/StructParent": "int",
}
STRUCT_ELEMENT = {
    "/A": "plain",
    "/C": "plain",
    "/R": "int",
    "/T": "string",
    "/Lang": "string",
    "/Alt": "string",
    "/E": "string",
    "/ActualText": "string",
}


def disarm(in_path, out_path, max_pages):
    """Rebuild the PDF at `in_path` into `out_path`; returns the verdict as a dictionary."""
    try:
        with open(in_path, "rb") as handle:
            handle.seek(0, 2)
            handle.seek(max(0, handle.tell() - 1024))
            if b"%%EOF" not in handle.read():
                raise Refusal("damaged")  # cut short: qpdf would piece together what is left
        try:
            src = pikepdf.open(in_path, inherit_page_attributes=False)
        except pikepdf.PasswordError:
            raise Refusal("encrypted") from None
        with src:
            rebuilder = Rebuilder(src, max_pages)
            out = rebuilder.rebuild()
            out.save(out_path, object_stream_mode=pikepdf.ObjectStreamMode.generate, min_version=src.pdf_version)
            pages = len(out.pages)
        return {"pages": pages, "removed": sorted(rebuilder.removed)}
    except Refusal as refusal:
        return {"problem": refusal.code}
    except (MemoryError, RecursionError):
        return {"problem": "too_complex"}
    except Exception as exc:  # noqa: BLE001 - whatever qpdf cannot read is a damaged file
        return {"problem": "damaged", "detail": repr(exc)[:300]}


def _limit_resources(seconds, memory_mb, output_mb):
    import resource

    memory = memory_mb * MB
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (output_mb * MB, output_mb * MB))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


if __name__ == "__main__":
    # python -I pdfdisarm.py MAX_PAGES IN OUT SECONDS MEMORY_MB OUTPUT_MB
    _limit_resources(math.ceil(float(sys.argv[4])), int(sys.argv[5]), int(sys.argv[6]))
    logging.disable(logging.CRITICAL)
    verdict = disarm(sys.argv[2], sys.argv[3], int(sys.argv[1]))
    sys.stdout.write(json.dumps(verdict) + "\n")
