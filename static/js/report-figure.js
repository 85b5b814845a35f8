// Figures in the report body: the editor library's Figure node (an image and its caption), with its
// toolbar button opening the report editor's figure dialog (static/js/report-editor.js) instead of
// asking for an image address. The dialog uploads the file, which the server checks and keeps with
// the report, and requires alternative text. Pasting or dropping an image file (a chart copied
// from Excel) opens the same dialog with that file.
import { canInsertNode, Figure, Plugin } from "django-prose-editor/editor";

// The figure the selection is in (or the image selected), with where its image is.
function figureAt(state) {
  const { selection } = state;
  const { $from } = selection;
  for (let depth = $from.depth; depth > 0; depth--) {
    const node = $from.node(depth);
    if (node.type.name !== "figure") continue;
    const start = $from.start(depth);
    let image = null;
    node.forEach((child, offset) => {
      if (!image && child.type.name === "image") image = { node: child, pos: start + offset };
    });
    return image;
  }
  if (selection.node?.type.name === "image") return { node: selection.node, pos: selection.from };
  if (selection.node?.type.name === "figure") {
    const child = selection.node.firstChild;
    if (child?.type.name === "image") return { node: child, pos: selection.from + 1 };
  }
  return null;
}

function ask(editor, detail) {
  editor.view.dom.dispatchEvent(new CustomEvent("report-figure:open", { bubbles: true, detail: { editor, ...detail } }));
}

// An image file on the clipboard or dragged in, unless it comes with text or a table: Excel puts a
// picture of copied cells beside their table, and that paste is the table.
function imageFile(transfer) {
  if (!transfer) return null;
  const file = [...(transfer.files || [])].find((f) => /^image\/(png|jpeg|svg\+xml)$/.test(f.type));
  if (!file) return null;
  const html = transfer.getData("text/html");
  if (html) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    if (doc.querySelector("table") || doc.body.textContent.trim()) return null;
  }
  return file;
}

// Pasted HTML keeps only images that are this app's figures (copied from a report's text); any
// other (a web page's pictures, Word's temporary files) is left out, as the server would drop it,
// and the editor says so: such a picture is added with Insert figure, which checks it.
const FIGURE_PATH = /^\/reports\/\d+\/figures\/\d+\/$/;

function keepOwnImages(html, editor) {
  if (!/<img/i.test(html)) return html;
  const doc = new DOMParser().parseFromString(html, "text/html");
  let dropped = 0;
  doc.querySelectorAll("img").forEach((img) => {
    let url = null;
    try {
      url = new URL(img.getAttribute("src") || "", window.location.href);
    } catch {
      url = null;
    }
    if (url && url.origin === window.location.origin && FIGURE_PATH.test(url.pathname) && !url.search) {
      img.setAttribute("src", url.pathname);
    } else {
      img.remove();
      dropped += 1;
    }
  });
  if (dropped) editor.view.dom.dispatchEvent(new CustomEvent("report-figure:dropped", { bubbles: true, detail: { dropped } }));
  return doc.body.innerHTML;
}

export const ReportFigure = Figure.extend({
  addCommands() {
    return {
      ...this.parent?.(),
      editImage:
        () =>
        ({ editor, state, dispatch }) => {
          const image = figureAt(state);
          if (!dispatch) return Boolean(image) || canInsertNode(state, state.schema.nodes.figure);
          ask(editor, { image });
          return true;
        },
    };
  },

  // The library's floating "Add caption / Remove caption" button is left out: a figure always has
  // its caption line (printed "Figure 1: ..."), typed in place.
  addExtensions() {
    return [];
  },

  addProseMirrorPlugins() {
    const editor = this.editor;
    const take = (transfer, event) => {
      const file = imageFile(transfer);
      if (!file) return false;
      event.preventDefault();
      ask(editor, { file });
      return true;
    };
    return [
      new Plugin({
        props: {
          handlePaste: (view, event) => take(event.clipboardData, event),
          handleDrop: (view, event) => take(event.dataTransfer, event),
          transformPastedHTML: (html) => keepOwnImages(html, editor),
        },
      }),
    ];
  },
});
