/* The members' reader (issue 20): later items loaded as the member scrolls, and private notes.
 *
 * Notes are offline-first: every change is written to a local outbox (localStorage
 * "reader-outbox-<user>") and sent to /reader/api/notes/sync/ when the browser is online: on load,
 * after each change, on the window "online" event and on a "reader:sync" event on window (which the
 * offline script may dispatch). The notes the server returns are kept (localStorage
 * "reader-notes-<user>-<meeting>") so a meeting kept offline shows its notes. A note's words are only
 * ever put in the page as text, never as HTML.
 */
(function () {
  "use strict";

  const root = document.getElementById("reader");
  if (!root) return;
  const meeting = root.dataset.meeting;
  const user = root.dataset.user;
  const maxChars = parseInt(root.dataset.maxChars || "10000", 10);
  const OUTBOX = "reader-outbox-" + user;
  const CACHE = "reader-notes-" + user + "-" + meeting;
  const status = document.getElementById("sync-status");
  const toolbar = document.getElementById("note-toolbar");
  let notes = readJSON(CACHE, []);
  let syncing = false;
  let again = false;

  function readJSON(key, fallback) {
    try {
      const value = JSON.parse(localStorage.getItem(key));
      return value === null ? fallback : value;
    } catch (e) {
      return fallback;
    }
  }

  function writeJSON(key, value) {
    try {
      localStorage.setItem(key, JSON.stringify(value));
    } catch (e) {
      say("This device's storage is full: your latest change may not be kept offline.");
    }
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function device() {
    let id = localStorage.getItem("reader-device");
    if (!id) {
      id = uuid();
      localStorage.setItem("reader-device", id);
    }
    return id;
  }

  function say(text) {
    if (status) status.textContent = text;
  }

  function csrf() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : root.dataset.csrf;
  }

  // The outbox ------------------------------------------------------------------------------------

  function outbox() {
    return readJSON(OUTBOX, []);
  }

  function pendingHere() {
    return outbox().filter((entry) => String(entry.meeting) === String(meeting));
  }

  /* Queue a change: one entry per note, the latest words, the revision the device last saw as its base. */
  function queue(change) {
    const box = outbox();
    const at = box.findIndex((entry) => entry.change.id === change.id);
    if (at >= 0) {
      change.base = box[at].change.base;
      box[at] = { meeting: meeting, change: change, seq: Date.now() + Math.random() };
    } else {
      box.push({ meeting: meeting, change: change, seq: Date.now() + Math.random() });
    }
    writeJSON(OUTBOX, box);
    render();
    sync();
  }

  async function sync() {
    if (syncing) {
      again = true;
      return;
    }
    syncing = true;
    try {
      do {
        again = false;
        await syncOnce();
      } while (again);
    } finally {
      syncing = false;
    }
  }

  async function syncOnce() {
    const sent = pendingHere();
    let response;
    try {
      if (sent.length) {
        response = await fetch(root.dataset.syncUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), Accept: "application/json" },
          body: JSON.stringify({ device: device(), meeting: parseInt(meeting, 10), changes: sent.map((e) => e.change) }),
        });
      } else {
        response = await fetch(root.dataset.notesUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      }
    } catch (e) {
      say(sent.length ? `Offline: ${sent.length} change${sent.length === 1 ? "" : "s"} to your notes kept on this device, to send when back online.` : "Offline: showing the notes kept on this device.");
      render();
      return;
    }
    if (response.status === 403) {
      say("You are signed out. Your notes on this device are kept and sent when you sign in again.");
      return;
    }
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    if (!response.ok || !body) {
      say((body && body.message) || "Your notes could not be sent just now; they are kept on this device.");
      return;
    }
    if (sent.length) {
      const done = new Set(sent.map((e) => e.seq));
      writeJSON(OUTBOX, outbox().filter((entry) => !done.has(entry.seq)));
    }
    notes = body.notes || [];
    writeJSON(CACHE, notes);
    const refused = body.refused || [];
    if (refused.length) {
      say("Not saved: " + refused.map((r) => r.reason).join(" "));
    } else if (body.conflicts && body.conflicts.length) {
      say("A note was changed on another device too: both versions are kept.");
    } else if (sent.length) {
      say("Notes saved.");
    }
    render();
  }

  /* The notes as this device shows them: the server's, with the changes still in the outbox laid over. */
  function shown() {
    const byId = new Map(notes.map((n) => [n.id, Object.assign({}, n)]));
    for (const entry of pendingHere()) {
      const c = entry.change;
      if (c.deleted) {
        byId.delete(c.id);
        continue;
      }
      const note = byId.get(c.id) || { id: c.id, revision: 0, state: "ok", anchor: c.anchor };
      Object.assign(note, { quote: c.quote, text: c.text, highlight: c.highlight, pending: true });
      if (!note.made_on || note.made_on === c.anchor || note.anchor === c.anchor) note.anchor = c.anchor;
      if (c.rebase) {
        note.state = "ok";
        delete note.diff;
      }
      byId.set(c.id, note);
    }
    return Array.from(byId.values());
  }

  // Drawing the notes -----------------------------------------------------------------------------

  function blockLabel(block) {
    const number = block.dataset.number;
    if (!number) return "this paragraph";
    if (/^\(\d+\)$/.test(number)) return "recommendation " + number;
    if (/^[A-Z0-9]+-\d+$/.test(number)) return "appendix page " + number;
    return "paragraph " + number;
  }

  function notesBox(block) {
    let box = block.querySelector(":scope > .anno-notes");
    if (!box) {
      box = document.createElement("div");
      box.className = "anno-notes";
      block.appendChild(box);
    }
    return box;
  }

  function decorate(scope) {
    scope.querySelectorAll(".anno").forEach((block) => {
      if (block.querySelector(":scope > .note-btn")) return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "note-btn";
      button.textContent = "Note";
      const hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " on " + blockLabel(block);
      button.appendChild(hidden);
      button.addEventListener("click", () => openEditor(block, null, ""));
      block.insertBefore(button, block.querySelector(":scope > .anno-notes"));
    });
  }

  function clearMarks(scope) {
    scope.querySelectorAll("mark.hl").forEach((mark) => {
      mark.replaceWith(document.createTextNode(mark.textContent));
    });
    scope.querySelectorAll(".anno.highlighted").forEach((b) => b.classList.remove("highlighted"));
    scope.querySelectorAll(".anno-notes").forEach((box) => {
      box.querySelectorAll(".note").forEach((n) => n.remove());
    });
    scope.normalize();
  }

  function markQuote(block, quote) {
    if (!quote) {
      block.classList.add("highlighted");
      return;
    }
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) => (node.parentElement.closest(".anno-notes, .note-btn, .note-editor") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
    });
    let node;
    while ((node = walker.nextNode())) {
      const at = node.data.indexOf(quote);
      if (at >= 0) {
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + quote.length);
        const mark = document.createElement("mark");
        mark.className = "hl";
        range.surroundContents(mark);
        return;
      }
    }
    block.classList.add("highlighted");
  }

  function diffView(diff) {
    const p = document.createElement("p");
    p.className = "note-diff";
    for (const [op, words] of diff || []) {
      const el = document.createElement(op === "added" ? "ins" : op === "removed" ? "del" : "span");
      el.textContent = words;
      if (op !== "same") {
        const label = document.createElement("span");
        label.className = "visually-hidden";
        label.textContent = op === "added" ? " [added: " : " [removed: ";
        p.appendChild(label);
      }
      p.appendChild(el);
      if (op !== "same") {
        const end = document.createElement("span");
        end.className = "visually-hidden";
        end.textContent = "] ";
        p.appendChild(end);
      }
      p.appendChild(document.createTextNode(" "));
    }
    return p;
  }

  function noteView(note, block) {
    const div = document.createElement("div");
    div.className = "note" + (note.state === "changed" ? " note-changed" : "") + (note.text ? "" : " note-highlight-only");
    div.dataset.note = note.id;
    div.setAttribute("role", "group");
    div.setAttribute("aria-label", (note.text ? "Your note" : "Your highlight") + (block ? " on " + blockLabel(block) : ""));
    if (note.state === "changed") {
      const warn = document.createElement("p");
      warn.className = "note-warning";
      warn.textContent = "This paragraph changed since your note. What changed:";
      div.appendChild(warn);
      div.appendChild(diffView(note.diff));
    }
    if (note.conflict_of) {
      const c = document.createElement("p");
      c.className = "small note-conflict";
      c.textContent = "A copy kept because this note was changed on two devices at once.";
      div.appendChild(c);
    }
    if (note.quote) {
      const q = document.createElement("blockquote");
      q.className = "note-quote";
      q.textContent = note.quote;
      div.appendChild(q);
    }
    if (note.text) {
      const t = document.createElement("p");
      t.className = "note-text";
      t.textContent = note.text;
      div.appendChild(t);
    } else {
      const t = document.createElement("p");
      t.className = "note-text small";
      t.textContent = "Highlighted";
      div.appendChild(t);
    }
    const actions = document.createElement("div");
    actions.className = "note-actions";
    if (block) {
      actions.appendChild(button("Edit", () => openEditor(block, note, note.quote), note));
      if (note.state === "changed") {
        actions.appendChild(button("Keep note here", () => queue(changeOf(note, { anchor: note.anchor, rebase: true })), note));
      }
    }
    actions.appendChild(button("Delete", () => queue(changeOf(note, { deleted: true })), note));
    div.appendChild(actions);
    if (note.pending) {
      const p = document.createElement("span");
      p.className = "small text-muted";
      p.textContent = "Not sent yet";
      actions.appendChild(p);
    }
    return div;
  }

  function button(label, action, note) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-sm btn-link";
    b.textContent = label;
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = note.text ? " note: " + note.text.slice(0, 40) : " highlight";
    b.appendChild(hidden);
    b.addEventListener("click", action);
    return b;
  }

  function changeOf(note, changes) {
    return Object.assign(
      { id: note.id, anchor: note.anchor, quote: note.quote || "", highlight: !!note.highlight, text: note.text || "", deleted: false, base: note.revision || 0 },
      changes
    );
  }

  function render() {
    const list = shown();
    clearMarks(document.querySelector(".reader-papers"));
    const detached = document.getElementById("detached-notes");
    const detachedList = detached.querySelector("ul");
    detachedList.textContent = "";
    for (const note of list) {
      const block = note.state === "detached" ? null : document.getElementById("a-" + note.anchor);
      if (note.state === "detached") {
        const li = document.createElement("li");
        li.appendChild(noteView(note, null));
        detachedList.appendChild(li);
        continue;
      }
      if (!block) continue; // its item is not loaded yet
      if (note.highlight) markQuote(block, note.quote);
      notesBox(block).appendChild(noteView(note, block));
    }
    detached.hidden = !detachedList.children.length;
  }

  // The editor -----------------------------------------------------------------------------------

  function openEditor(block, note, quote) {
    document.querySelectorAll(".note-editor").forEach((f) => f.remove());
    const form = document.createElement("form");
    form.className = "note-editor";
    const id = "note-text-" + uuid().slice(0, 8);
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = (note ? "Edit your note on " : "Your note on ") + blockLabel(block);
    const area = document.createElement("textarea");
    area.id = id;
    area.className = "form-control";
    area.rows = 3;
    area.value = note ? note.text || "" : "";
    const error = document.createElement("p");
    error.className = "invalid-feedback";
    error.id = id + "-error";
    const hl = document.createElement("div");
    hl.className = "form-check";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.className = "form-check-input";
    box.id = id + "-hl";
    box.checked = note ? !!note.highlight : false;
    const boxLabel = document.createElement("label");
    boxLabel.className = "form-check-label";
    boxLabel.htmlFor = box.id;
    boxLabel.textContent = "Highlight " + (quote ? "the selected words" : blockLabel(block));
    hl.append(box, boxLabel);
    const save = document.createElement("button");
    save.type = "submit";
    save.className = "btn btn-primary btn-sm";
    save.textContent = "Save note";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "btn btn-outline-secondary btn-sm";
    cancel.textContent = "Cancel";
    cancel.addEventListener("click", () => {
      form.remove();
      block.querySelector(":scope > .note-btn").focus();
    });
    const buttons = document.createElement("div");
    buttons.className = "note-editor-buttons";
    buttons.append(save, cancel);
    if (quote) {
      const q = document.createElement("blockquote");
      q.className = "note-quote";
      q.textContent = quote;
      form.appendChild(q);
    }
    form.append(label, area, error, hl, buttons);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = area.value;
      if (text.length > maxChars) {
        area.classList.add("is-invalid");
        area.setAttribute("aria-invalid", "true");
        area.setAttribute("aria-describedby", error.id);
        error.textContent = `A note can be at most ${maxChars.toLocaleString("en-GB")} characters long; this one has ${text.length.toLocaleString("en-GB")}. Shorten it.`;
        area.focus();
        return;
      }
      if (!text.trim() && !box.checked) {
        area.classList.add("is-invalid");
        area.setAttribute("aria-invalid", "true");
        area.setAttribute("aria-describedby", error.id);
        error.textContent = "Write a note or choose Highlight.";
        area.focus();
        return;
      }
      const base = note ? changeOf(note, {}) : { id: uuid(), anchor: block.dataset.anchor, quote: quote || "", deleted: false, base: 0 };
      form.remove();
      queue(Object.assign(base, { text: text, highlight: box.checked }));
      const opener = block.querySelector(":scope > .note-btn");
      if (opener) opener.focus();
    });
    notesBox(block).appendChild(form);
    area.focus();
  }

  // Selecting text -------------------------------------------------------------------------------

  let selected = null;

  function selectionBlock() {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
    const range = selection.getRangeAt(0);
    const start = range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentElement;
    const end = range.endContainer.nodeType === 1 ? range.endContainer : range.endContainer.parentElement;
    const block = start && start.closest(".anno");
    if (!block || block !== (end && end.closest(".anno"))) return null;
    if (start.closest(".anno-notes, .note-btn")) return null;
    const quote = selection.toString().replace(/\s+/g, " ").trim();
    if (!quote) return null;
    return { block: block, quote: quote.slice(0, 2000), rect: range.getBoundingClientRect() };
  }

  function showToolbar() {
    selected = selectionBlock();
    if (!selected) {
      toolbar.hidden = true;
      return;
    }
    toolbar.hidden = false;
    const top = window.scrollY + selected.rect.bottom + 6;
    const left = Math.max(8, Math.min(window.scrollX + selected.rect.left, document.documentElement.clientWidth - toolbar.offsetWidth - 8));
    toolbar.style.top = top + "px";
    toolbar.style.left = left + "px";
  }

  document.addEventListener("mouseup", () => setTimeout(showToolbar, 0));
  document.addEventListener("keyup", (event) => {
    if (event.key === "Escape") toolbar.hidden = true;
    else if (event.shiftKey) showToolbar();
  });
  document.addEventListener("selectionchange", () => {
    if (toolbar.hidden) return;
    const now = selectionBlock();
    if (!now) toolbar.hidden = true;
  });
  toolbar.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
  toolbar.addEventListener("click", (event) => {
    const action = event.target.closest("button") && event.target.closest("button").dataset.action;
    if (!action || !selected) return;
    const { block, quote } = selected;
    toolbar.hidden = true;
    window.getSelection().removeAllRanges();
    if (action === "highlight") {
      queue({ id: uuid(), anchor: block.dataset.anchor, quote: quote, highlight: true, text: "", deleted: false, base: 0 });
    } else {
      openEditor(block, null, quote);
    }
  });

  // Loading later items as the member scrolls ----------------------------------------------------

  const loading = new Map();

  function load(section) {
    if (!section || !section.classList.contains("reader-pending")) return Promise.resolve(section);
    if (loading.has(section.id)) return loading.get(section.id);
    const promise = fetch(section.dataset.src, { credentials: "same-origin" })
      .then((r) => {
        if (!r.ok) throw new Error(String(r.status));
        return r.text();
      })
      .then((html) => {
        const template = document.createElement("template");
        template.innerHTML = html.trim();
        const fresh = template.content.querySelector(".reader-item");
        section.replaceWith(fresh);
        decorate(fresh);
        render();
        return fresh;
      })
      .catch(() => {
        const p = section.querySelector(".reader-loading");
        if (p) p.textContent = "This item could not be loaded. Check your connection; it loads again when you scroll back.";
        loading.delete(section.id);
        return section;
      });
    loading.set(section.id, promise);
    return promise;
  }

  if ("IntersectionObserver" in window) {
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (entry.isIntersecting) {
            observer.unobserve(entry.target);
            load(entry.target).then((s) => {
              if (s && s.classList.contains("reader-pending")) observer.observe(s);
            });
          }
        }
      },
      { rootMargin: "1200px 0px" }
    );
    document.querySelectorAll(".reader-pending").forEach((s) => observer.observe(s));
  } else {
    document.querySelectorAll(".reader-pending").forEach(load);
  }

  /* Jumping to an item or a paragraph not loaded yet: load its item first, then go there. */
  async function goTo(hash, itemId) {
    if (!hash) return;
    let target = document.getElementById(hash.slice(1));
    if (!target && itemId) {
      await load(document.getElementById("item-" + itemId));
      target = document.getElementById(hash.slice(1));
    }
    if (target && target.classList.contains("reader-pending")) target = await load(target);
    if (target) {
      target.scrollIntoView();
      const heading = target.querySelector(".reader-item-title") || target;
      if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
  }

  document.querySelector(".reader-agenda").addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#item-']");
    if (!link) return;
    event.preventDefault();
    history.replaceState(null, "", link.getAttribute("href"));
    goTo(link.getAttribute("href"));
  });

  decorate(document);
  render();
  const params = new URLSearchParams(location.search);
  goTo(location.hash, params.get("item"));
  window.addEventListener("online", sync);
  window.addEventListener("reader:sync", sync);
  sync();
})();
