// Pasting from Word into the report body: Word's headings become the section's own heading levels
// (the editor keeps only those, and would turn an <h1> into a paragraph), and Word's list paragraphs
// (<p class="MsoListParagraph" style="mso-list:l0 level1 lfo1"> with the number typed in a span)
// become real numbered or bulleted lists. Tables Word writes as ordinary <table>s, which the editor
// reads as they are.
import { Extension, Plugin } from "django-prose-editor/editor";

// A Word list paragraph: its list and its level of nesting.
const LIST_ITEM = /mso-list:\s*l\d+\s+level(\d+)/i;
// The markers Word writes for bullets (Symbol's and Wingdings' bullets, Courier's "o", a dash);
// any other (1., a), iv.) numbers the list.
const BULLET = /^[\u00b7\u2022\u25aa\u25cf\u00a7\uf0b7\uf0a7\uf0d8o\u2013-]$/;
const HEADING = /^H([1-6])$/;
const WORD_HEADING = /\bMso(?:Heading([1-6])|Title)\b/;

function headingLevel(element) {
  const tag = element.tagName.match(HEADING);
  if (tag) return Number(tag[1]);
  const word = element.className.match(WORD_HEADING);
  return word ? Number(word[1] || 0) : null;
}

// Headings keep their order of rank: the highest pasted becomes the section's first level, the next
// its second, and so on, the lowest levels sharing the section's last. A paste of the section's own
// levels (copied from a report) is left as it is.
function keepHeadings(doc, levels) {
  const headings = [...doc.body.querySelectorAll("h1, h2, h3, h4, h5, h6, p[class*=Mso]")]
    .map((element) => ({ element, level: headingLevel(element) }))
    .filter((heading) => heading.level !== null);
  if (!levels.length || headings.every((heading) => levels.includes(heading.level) && heading.element.tagName !== "P")) return;
  const ranks = [...new Set(headings.map((heading) => heading.level))].sort((a, b) => a - b);
  for (const { element, level } of headings) {
    const replacement = doc.createElement(`h${levels[Math.min(ranks.indexOf(level), levels.length - 1)]}`);
    replacement.append(...element.childNodes);
    element.replaceWith(replacement);
  }
}

// Consecutive list paragraphs make one list, nested by their level; the typed number is left out.
function makeLists(doc) {
  let open = []; // the lists being filled, outermost first
  for (const paragraph of doc.body.querySelectorAll("p")) {
    const item = (paragraph.getAttribute("style") || "").match(LIST_ITEM);
    if (!item) continue;
    const marker = paragraph.querySelector("[style*='mso-list:Ignore' i], [style*='mso-list: Ignore' i]");
    const ordered = !marker || !BULLET.test(marker.textContent.replace(/\s+/g, ""));
    marker?.remove();
    if (paragraph.previousElementSibling !== open[0]) open = [];
    const depth = Math.min(Number(item[1]), open.length + 1);
    open.length = Math.min(open.length, depth);
    if (open.length < depth) {
      const list = doc.createElement(ordered ? "ol" : "ul");
      if (depth === 1) paragraph.before(list);
      else (open[depth - 2].lastElementChild || open[depth - 2]).append(list);
      open.push(list);
    }
    const li = doc.createElement("li");
    open[depth - 1].append(li);
    paragraph.removeAttribute("class");
    paragraph.removeAttribute("style");
    li.append(paragraph);
  }
}

export function fromWord(html, levels) {
  if (!/<h[1-6]|mso-list|class="?Mso/i.test(html)) return html;
  const doc = new DOMParser().parseFromString(html, "text/html");
  keepHeadings(doc, levels);
  makeLists(doc);
  return doc.body.innerHTML;
}

export const WordPaste = Extension.create({
  name: "wordPaste",

  addProseMirrorPlugins() {
    const heading = this.editor.extensionManager.extensions.find((extension) => extension.name === "heading");
    const levels = heading?.options.levels || [];
    return [new Plugin({ props: { transformPastedHTML: (html) => fromWord(html, levels) } })];
  },
});
