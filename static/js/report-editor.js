// The report editor: ordered lists (add, remove, move), the rich-text body, and autosave.
// Without JavaScript the form still works: it posts everything and the server saves it.
import { createEditor } from "django-prose-editor/configurable";

const form = document.getElementById("report-form");
const status = document.getElementById("autosave-status");
const editorConfig = JSON.parse(form.dataset.editorConfig);
const AUTOSAVE_DELAY = 2000;

// The form has buttons named "action", which shadow form.action: always use the attribute.
const actionUrl = () => form.getAttribute("action");

let dirty = false;
let stopped = false;
let signedOut = false;
let inFlight = null;
let timer = null;

// This page's own id, sent with every save from it (the editor form and the appendix forms), so
// that the server can tell its saves crossing each other from someone else's (report_save_draft).
const PAGE_ID = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
document.querySelectorAll("input[data-editor-page]").forEach((input) => (input.value = PAGE_ID));

// Signing in again (in another tab) gives a new CSRF token: post the current one, from its cookie.
function freshCsrf() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (!match) return;
  document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach((input) => (input.value = decodeURIComponent(match[1])));
}
document.addEventListener("submit", freshCsrf, true);

function say(message) {
  status.textContent = message;
}

// ---- ordered lists ---------------------------------------------------------------

function renumber(list) {
  const kind = list.dataset.list;
  list.querySelectorAll(":scope > [data-row]").forEach((row, index) => {
    const number = index + 1;
    row.querySelectorAll("[data-number]").forEach((el) => {
      el.textContent = kind === "recommendation" ? `(${number})` : `${number}`;
    });
    row.querySelectorAll("[id]").forEach((el) => {
      el.id = el.id.replace(/^(recommendation|section)-[^-]+-/, `$1-${index}-`);
    });
    row.querySelectorAll("label[for]").forEach((el) => {
      el.htmlFor = el.htmlFor.replace(/^(recommendation|section)-[^-]+-/, `$1-${index}-`);
    });
    row.querySelectorAll("[aria-labelledby], [aria-describedby]").forEach((el) => {
      for (const name of ["aria-labelledby", "aria-describedby"]) {
        const value = el.getAttribute(name);
        if (value) el.setAttribute(name, value.replace(/\b(recommendation|section)-[^-\s]+-/g, `$1-${index}-`));
      }
    });
    const what = kind === "recommendation" ? `recommendation (${number})` : `section ${number}`;
    row.querySelectorAll("[data-move=up]").forEach((b) => {
      b.setAttribute("aria-label", `Move ${what} up`);
      b.disabled = index === 0;
    });
    row.querySelectorAll("[data-move=down]").forEach((b) => {
      b.setAttribute("aria-label", `Move ${what} down`);
      b.disabled = index === list.children.length - 1;
    });
    row.querySelectorAll("[data-remove]").forEach((b) => b.setAttribute("aria-label", `Remove ${what}`));
  });
}

// The rich-text editor hides its textarea: give the editable area the textarea's label, and
// let a click on the label focus it, so it is found and announced like any other field.
function startEditor(textarea) {
  textarea.setAttribute("data-django-prose-editor-configurable", JSON.stringify(editorConfig));
  createEditor(textarea, editorConfig).then((editor) => {
    if (!editor) return;
    const editable = editor.view.dom;
    const label = form.querySelector(`label[for="${textarea.id}"]`);
    if (label) {
      if (!label.id) label.id = `${textarea.id}-label`;
      editable.setAttribute("aria-labelledby", label.id);
      label.addEventListener("click", () => editor.commands.focus());
    }
    editable.setAttribute("role", "textbox");
    editable.setAttribute("aria-multiline", "true");
  });
}

function addRow(kind) {
  const list = document.querySelector(`[data-list=${kind}]`);
  const template = document.getElementById(`${kind}-template`);
  const fragment = template.content.cloneNode(true);
  const row = fragment.querySelector("[data-row]");
  list.appendChild(fragment);
  renumber(list);
  const body = row.querySelector("[data-section-body]");
  if (body) startEditor(body);
  row.querySelector("textarea, input[type=text]").focus();
  markDirty();
}

function removeRow(button) {
  const row = button.closest("[data-row]");
  const list = row.parentElement;
  const next = row.nextElementSibling || row.previousElementSibling;
  row.remove();
  renumber(list);
  say(list.dataset.list === "recommendation" ? "Recommendation removed." : "Section removed.");
  (next ? next.querySelector("[data-remove]") : document.querySelector(`[data-add=${list.dataset.list}]`)).focus();
  markDirty();
}

function moveRow(button) {
  const row = button.closest("[data-row]");
  const list = row.parentElement;
  const up = button.dataset.move === "up";
  const sibling = up ? row.previousElementSibling : row.nextElementSibling;
  if (!sibling) return;
  if (up) list.insertBefore(row, sibling);
  else list.insertBefore(sibling, row);
  renumber(list);
  const index = [...list.children].indexOf(row) + 1;
  say(`Moved to position ${index}.`);
  const again = row.querySelector(`[data-move=${button.dataset.move}]`);
  (again.disabled ? row.querySelector(`[data-move=${up ? "down" : "up"}]`) : again).focus();
  markDirty();
}

form.addEventListener("click", (event) => {
  const target = event.target.closest("button");
  if (!target) return;
  if (target.dataset.add) addRow(target.dataset.add);
  else if (target.dataset.move) moveRow(target);
  else if (target.hasAttribute("data-remove")) removeRow(target);
});

// ---- questions that depend on other answers ----------------------------------------

function radioValue(name) {
  const checked = form.querySelector(`input[name=${name}]:checked`);
  return checked ? checked.value : "";
}

function showDependent() {
  const exempt = form.querySelector("[data-show-when=exempt]");
  if (exempt) exempt.hidden = radioValue("is_exempt") !== "True";
  const plan = form.querySelector("[data-show-when=key-decision]");
  if (plan) plan.hidden = radioValue("in_forward_plan") !== "True";
}
form.addEventListener("change", showDependent);
showDependent();

// ---- autosave ------------------------------------------------------------------------

function markDirty() {
  if (stopped) return;
  dirty = true;
  say("Unsaved changes…");
  clearTimeout(timer);
  timer = setTimeout(autosave, AUTOSAVE_DELAY);
}

// An autosave posts only what changed since the page's last save, named in _changed (a list, the
// recommendations or the sections, goes whole, with its rows' ids); the server keeps everything else
// as stored. The whole form goes when the page does not show the report as stored (a refused save
// shown again, a report not saved yet): what it shows may differ from what is stored anywhere.
const NOT_CONTENT = new Set(["csrfmiddlewaretoken", "version", "revision", "editor_page", "_autosave", "action"]);
let savedContent = null; // group -> its values (JSON) as last saved; null: not known, post the whole form

function groupOf(name) {
  if (name.startsWith("recommendation-")) return "recommendations";
  if (name.startsWith("section-")) return "sections";
  return name;
}

function contentOf(data) {
  const groups = new Map();
  for (const [name, value] of data.entries()) {
    if (NOT_CONTENT.has(name) || name.endsWith("-id")) continue;
    const group = groupOf(name);
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push([name, value]);
  }
  return new Map([...groups].map(([group, values]) => [group, JSON.stringify(values)]));
}

// What an autosave sends: { body, content (what the form held), changed (the groups sent, or null: all) }.
function autosaveData() {
  freshCsrf();
  const data = new FormData(form);
  data.delete("action");
  const content = contentOf(data);
  if (!savedContent || !/\/edit\/$/.test(actionUrl())) {
    data.set("_autosave", "1");
    return { body: data, content, changed: null };
  }
  const changed = [...new Set([...content.keys(), ...savedContent.keys()])].filter(
    (group) => content.get(group) !== savedContent.get(group),
  );
  const body = new URLSearchParams();
  for (const [name, value] of data.entries()) {
    if (NOT_CONTENT.has(name) || changed.includes(groupOf(name))) body.append(name, value);
  }
  body.set("_autosave", "1");
  body.set("_changed", changed.join(","));
  return { body, content, changed };
}

// After a save: what was sent is now stored, except the fields the server refused (sent again next time).
function noteSaved(sent, result) {
  const refused = new Set(Object.keys(result.errors || {}).map(groupOf));
  if ((result.list_errors || []).length) ["recommendations", "sections"].forEach((group) => refused.add(group));
  const next = new Map(savedContent || []);
  const groups = sent.changed || [...new Set([...sent.content.keys(), ...next.keys()])];
  for (const group of groups) {
    if (refused.has(group) && sent.changed) continue;
    if (refused.has(group) || !sent.content.has(group)) next.delete(group);
    else next.set(group, sent.content.get(group));
  }
  if (!sent.changed) refused.forEach((group) => next.set(group, null)); // differs from anything: sent again
  savedContent = next;
}

function applyIds(kind, ids) {
  if (!ids) return;
  const rows = document.querySelectorAll(`[data-list=${kind}] > [data-row]`);
  rows.forEach((row, index) => {
    if (index < ids.length) row.querySelector(`input[name=${kind}-id]`).value = ids[index];
  });
}

function showSaved(result) {
  form.querySelector("input[name=version]").value = result.version;
  form.querySelector("input[name=revision]").value = result.revision;
  document.querySelectorAll("[data-version-label]").forEach((el) => (el.textContent = result.version));
  if (actionUrl() !== result.edit_url) {
    form.setAttribute("action", result.edit_url);
    history.replaceState(null, "", result.edit_url);
    const links = document.querySelector("[data-saved-links]");
    links.querySelector("[data-link=preview]").href = result.edit_url.replace(/edit\/$/, "");
    links.querySelector("[data-link=pdf]").href = result.edit_url.replace(/edit\/$/, "pdf/");
    links.hidden = false;
  }
  applyIds("recommendation", result.recommendation_ids);
  applyIds("section", result.section_ids);
  const problems = Object.keys(result.errors || {}).length + (result.list_errors || []).length;
  if (problems) {
    say(`Saved at ${result.saved_at}, except ${problems} field${problems > 1 ? "s" : ""} with a problem: use Save draft to see ${problems > 1 ? "them" : "it"}.`);
  } else {
    say(result.saved ? `Draft saved at ${result.saved_at}.` : "All changes saved.");
  }
}

async function autosave() {
  if (!dirty || stopped) return;
  if (inFlight) {
    await inFlight;
    return autosave();
  }
  dirty = false;
  say("Saving…");
  const sent = autosaveData();
  inFlight = fetch(actionUrl(), {
    method: "POST",
    body: sent.body,
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  })
    .then(async (response) => {
      const isJson = (response.headers.get("Content-Type") || "").startsWith("application/json");
      if (response.redirected || (response.ok && !isJson) || response.status === 403) {
        // The sign-in page (a session that timed out) or a refused token: nothing was saved.
        dirty = true;
        signedOut = true;
        say("You are signed out, so your changes are not saved. They are still on this page: sign in again in another tab, then come back here and use Save draft.");
        status.classList.add("text-danger", "fw-semibold");
        return;
      }
      const result = await response.json().catch(() => ({}));
      signedOut = false;
      status.classList.remove("text-danger", "fw-semibold");
      if (response.ok) {
        noteSaved(sent, result);
        showSaved(result);
      } else if (response.status === 409) {
        stopped = true;
        say(result.error || "This report can no longer be saved here.");
        status.classList.add("text-danger", "fw-semibold");
      } else {
        dirty = true;
        say("Could not save just now; your text is still here and will be saved when you next type, or use Save draft.");
      }
    })
    .catch(() => {
      dirty = true;
      say("Could not reach the server; your text is still here. Check your connection, then use Save draft.");
    })
    .finally(() => {
      inFlight = null;
    });
  return inFlight;
}

form.addEventListener("input", markDirty);
form.addEventListener("change", markDirty);

// A manual save waits for an autosave in flight, so it carries the version that autosave made;
// when signed out, it first tries an autosave, so the typing is never posted to the sign-in page.
form.addEventListener("submit", (event) => {
  clearTimeout(timer);
  if (signedOut) {
    event.preventDefault();
    const submitter = event.submitter;
    dirty = true;
    autosave().then(() => {
      if (!signedOut) form.requestSubmit(submitter);
    });
    return;
  }
  if (inFlight) {
    event.preventDefault();
    const submitter = event.submitter;
    inFlight.then(() => {
      dirty = false;
      form.requestSubmit(submitter);
    });
    return;
  }
  dirty = false;
  stopped = true;
});

// Leaving the page (closing the tab, navigating away) saves what is unsaved.
function saveOnLeave() {
  if (dirty && !stopped && !signedOut && navigator.sendBeacon) {
    navigator.sendBeacon(actionUrl(), autosaveData().body);
    dirty = false;
  }
}
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") saveOnLeave();
});
window.addEventListener("pagehide", saveOnLeave);

// The preview links show what is saved: save what was just typed first.
document.querySelectorAll("[data-saved-links] a").forEach((link) => {
  link.addEventListener("click", (event) => {
    if (!dirty && !inFlight) return;
    event.preventDefault();
    clearTimeout(timer);
    autosave().then(() => {
      if (!dirty && !stopped) window.location.href = link.href;
    });
  });
});

// ---- figures -------------------------------------------------------------------------
// The editor's figure button, or an image pasted or dropped into a section, opens this dialog
// (static/js/report-figure.js sends "report-figure:open"). It uploads the file to the report's
// figures, which the server checks, and inserts the figure with its alternative text and caption;
// refused, it shows why beside the field and keeps everything typed.

const figureDialog = document.getElementById("figure-dialog");
const figureForm = document.getElementById("figure-form");
let figureTarget = null; // { editor, image (when changing one), file (when pasted) }

function figureField(name) {
  return figureForm.querySelector(`[name="figure-${name}"]`);
}

function showFigureErrors(errors) {
  let first = null;
  figureForm.querySelectorAll("[data-error-for]").forEach((box) => {
    const name = box.dataset.errorFor;
    const messages = errors[name] || [];
    const field = figureField(name);
    box.textContent = messages.join(" ");
    box.hidden = !messages.length;
    field.classList.toggle("is-invalid", messages.length > 0);
    const help = field.getAttribute("aria-describedby").split(" ").filter((id) => id !== box.id);
    field.setAttribute("aria-describedby", (messages.length ? [...help, box.id] : help).join(" "));
    if (messages.length && !first) first = field;
  });
  const general = document.getElementById("figure-error-all");
  const others = errors.__all__ || [];
  general.textContent = others.join(" ");
  general.hidden = !others.length;
  (first || (others.length ? general : null))?.focus();
}

function openFigureDialog({ editor, image = null, file = null }) {
  figureTarget = { editor, image, file };
  const editing = Boolean(image);
  figureForm.reset();
  showFigureErrors({});
  document.getElementById("figure-status").textContent = "";
  const title = document.getElementById("figure-dialog-title");
  title.textContent = editing ? title.dataset.titleEdit : title.dataset.titleInsert;
  const submit = figureForm.querySelector("button[type=submit]");
  submit.textContent = editing ? submit.dataset.labelEdit : submit.dataset.labelInsert;
  document.getElementById("figure-caption-field").hidden = editing;
  document.getElementById("figure-edit-help").hidden = !editing;
  const pasted = document.getElementById("figure-pasted");
  pasted.hidden = !file;
  figureField("file").hidden = Boolean(file);
  if (file) pasted.querySelector("[data-pasted-name]").textContent = file.name || "image";
  if (editing) figureField("alt_text").value = image.node.attrs.alt || "";
  figureDialog.showModal();
  (file || editing ? figureField("alt_text") : figureField("file")).focus();
}

function closeFigureDialog() {
  figureDialog.close();
}

figureDialog.addEventListener("close", () => {
  const target = figureTarget;
  figureTarget = null;
  target?.editor.commands.focus();
});
figureForm.querySelector("[data-figure-cancel]").addEventListener("click", closeFigureDialog);
form.addEventListener("report-figure:open", (event) => openFigureDialog(event.detail));
form.addEventListener("report-figure:dropped", (event) => {
  const notice = document.getElementById("figure-paste-notice");
  const many = event.detail.dropped > 1;
  notice.textContent = `${many ? "Pictures" : "A picture"} pasted from elsewhere ${many ? "were" : "was"} left out: add pictures with Insert figure (the picture button), which checks them.`;
  notice.hidden = false;
});

function putFigure(target, { src, alt, caption }) {
  const { editor, image } = target;
  if (image) {
    editor.chain().focus().setNodeSelection(image.pos).updateAttributes("image", { src, alt }).run();
  } else {
    const content = [{ type: "image", attrs: { src, alt } }];
    content.push(caption ? { type: "caption", content: [{ type: "text", text: caption }] } : { type: "caption" });
    editor.chain().focus().insertContent({ type: "figure", content }).run();
  }
  markDirty();
}

// The report's figures address; a new report is saved first, so that it has one.
async function figuresUrl() {
  const edit = /^\/reports\/(\d+)\/edit\/$/;
  if (!edit.test(actionUrl())) {
    dirty = true;
    await autosave();
  }
  const match = actionUrl().match(edit);
  return match ? `/reports/${match[1]}/figures/` : null;
}

figureForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const target = figureTarget;
  if (!target) return;
  const status = document.getElementById("figure-status");
  const alt = figureField("alt_text").value.trim();
  const file = target.file || figureField("file").files[0];
  if (target.image && !file) {
    // Only the words change: nothing to upload.
    if (!alt) {
      showFigureErrors({ alt_text: ["Describe the figure for someone who cannot see it: alternative text is required."] });
      return;
    }
    closeFigureDialog();
    putFigure(target, { src: target.image.node.attrs.src, alt });
    return;
  }
  const url = await figuresUrl();
  if (!url) {
    showFigureErrors({ __all__: ["The draft could not be saved, so the figure cannot be added yet. Use Save draft, then try again."] });
    return;
  }
  freshCsrf();
  const data = new FormData(figureForm);
  if (target.file) data.set("figure-file", target.file, target.file.name || "pasted-image.png");
  status.textContent = "Checking the image…";
  let response;
  try {
    response = await fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" } });
  } catch {
    status.textContent = "";
    showFigureErrors({ __all__: ["Could not reach the server; nothing was lost. Check your connection and try again."] });
    return;
  }
  status.textContent = "";
  const isJson = (response.headers.get("Content-Type") || "").startsWith("application/json");
  const result = isJson ? await response.json().catch(() => ({})) : {};
  if (response.status === 201 && result.src) {
    closeFigureDialog();
    putFigure(target, target.image ? { ...result, caption: "" } : result);
    say("Figure inserted; saving…");
  } else if (result.errors) {
    showFigureErrors(result.errors);
  } else if (response.status === 413) {
    showFigureErrors({ file: ["This file is too large to upload."] });
  } else if (!isJson || response.redirected) {
    showFigureErrors({ __all__: ["You are signed out, so the figure was not added. Sign in again in another tab, then try again here."] });
  } else {
    showFigureErrors({ __all__: ["The figure could not be added just now; try again in a minute."] });
  }
});

// ---- start -----------------------------------------------------------------------------

// The page shows the report as stored: an autosave needs to send only what is typed from here on.
if (form.hasAttribute("data-shows-stored")) savedContent = contentOf(new FormData(form));

document.querySelectorAll("[data-list]").forEach(renumber);
document.querySelectorAll("[data-list] [data-section-body]").forEach(startEditor);
const summary = document.getElementById("save-problem") || document.getElementById("stale-warning") || document.getElementById("error-summary") || document.getElementById("form-error-summary");
if (summary) summary.focus();
