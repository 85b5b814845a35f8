/* The members' reader offline (issue 20): registers the service worker (static/reader/sw.js) and works
   the "Keep for offline" button (#keep-offline) of a meeting's page.

   Keeping a meeting stores, in a cache of its own ("reader-<user pk>-meeting-<meeting pk>"), every
   address the server's offline.json lists for the signed-in member (the page, each item, the PDFs and
   the notes; an exempt paper only for a member who may read it) and the page's static files, then a
   record of what was kept (META). Online, each visit asks the server which kept meetings this device
   must drop (membership ended, minutes approved, an exempt paper no longer theirs) and brings the kept
   copy up to date. Configured by the data- attributes of its own <script> tag (reader/_offline.html). */
(() => {
  "use strict";

  const script = document.currentScript;
  const SW_URL = script.dataset.sw;
  const SCOPE = script.dataset.scope;
  const CHECK_URL = script.dataset.check;
  const STATIC = script.dataset.static;
  const META = `${SCOPE}__kept__.json`; // as sw.js reads it
  const PARALLEL = 3;

  // The app's manifest and icon: browsers read them from <head> only, and this script is loaded at the
  // end of <body> (templates/reader/_offline.html).
  for (const [rel, href] of [
    ["manifest", script.dataset.manifest],
    ["apple-touch-icon", script.dataset.icon],
  ]) {
    if (href && !document.head.querySelector(`link[rel="${rel}"]`)) {
      const link = document.createElement("link");
      link.rel = rel;
      link.href = href;
      document.head.append(link);
    }
  }

  const person = document.querySelector("[data-user]");
  const user = script.dataset.user || (person && person.dataset.user);
  if (!user) return;
  const holder = document.querySelector("[data-meeting]");
  const meeting = holder ? holder.dataset.meeting : null;
  const offlineUrl = holder ? holder.dataset.offlineUrl : null;
  const button = document.getElementById("keep-offline");

  const supported = window.isSecureContext && "serviceWorker" in navigator && "caches" in window;
  const cacheName = (pk) => `reader-${user}-meeting-${pk}`;
  const mine = new RegExp(`^reader-${user}-meeting-(\\d+)$`);
  let busy = false;

  // The controls beside the button: a progress bar while keeping, the state in words (a live region,
  // present from the start so that its changes are announced) and "Remove from this device".
  let panel, progress, statusLine, removeButton;
  if (button) {
    panel = document.createElement("div");
    panel.className = "keep-offline-panel d-flex flex-wrap align-items-center gap-2 w-100";
    panel.innerHTML =
      '<progress class="keep-offline-progress" max="1" value="0" hidden></progress>' +
      '<p class="keep-offline-status mb-0" id="keep-offline-status" role="status"></p>' +
      '<button type="button" class="btn btn-outline-secondary btn-sm keep-offline-remove" hidden>Remove from this device</button>';
    button.after(panel);
    progress = panel.querySelector("progress");
    progress.setAttribute("aria-label", "Keeping for offline");
    statusLine = panel.querySelector("[role=status]");
    removeButton = panel.querySelector("button");
    button.setAttribute("aria-describedby", statusLine.id);
    if (!button.hasAttribute("aria-pressed")) button.setAttribute("aria-pressed", "false");
  }

  function say(text) {
    if (statusLine) statusLine.textContent = text;
  }

  function megabytes(bytes) {
    if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
    return `${Math.round(bytes / 1024 / 1024)} MB`;
  }

  function day(iso) {
    return new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "short" });
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  async function readMeta(cache) {
    const response = await cache.match(META);
    return response ? response.json() : null;
  }

  // [{meeting, cache, meta}] of the meetings this person keeps here (a cache with no record is a keep
  // that did not finish: not kept).
  async function keptMeetings() {
    const kept = [];
    for (const name of await caches.keys()) {
      const match = name.match(mine);
      if (!match) continue;
      const cache = await caches.open(name);
      const meta = await readMeta(cache);
      if (meta) kept.push({ meeting: match[1], cache, meta });
    }
    return kept;
  }

  // One person's papers on a device at a time: another's kept meetings and stored notes go when this
  // person opens the reader (their unsent notes, "reader-outbox-<pk>", stay for their next sign-in).
  async function forgetOtherPeople() {
    for (const name of await caches.keys()) {
      const match = name.match(/^reader-(\d+)-/);
      if (match && match[1] !== user) await caches.delete(name);
    }
    for (const key of Object.keys(localStorage)) {
      const match = key.match(/^reader-notes-(\d+)-/);
      if (match && match[1] !== user) localStorage.removeItem(key);
    }
  }

  // The static files this page uses (styles, scripts, fonts, icons), for the kept copy to look the same.
  function staticFiles() {
    const found = new Set();
    const add = (href) => {
      if (!href) return;
      const url = new URL(href, location.href);
      if (url.origin === location.origin && url.pathname.startsWith(STATIC)) found.add(url.pathname + url.search);
    };
    document.querySelectorAll("link[href], script[src]").forEach((el) => add(el.href || el.src));
    performance.getEntriesByType("resource").forEach((entry) => add(entry.name));
    return [...found];
  }

  async function fetchInto(cache, url) {
    const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok || response.redirected) throw new Error(`${url}: ${response.status}`);
    const size = (await response.clone().blob()).size;
    await cache.put(url, response);
    return size;
  }

  // Fetch `urls` into `cache`, a few at a time; {sizes: {url: bytes}, failed: [url]}.
  async function fetchAll(cache, urls, onEach) {
    const sizes = {};
    const failed = [];
    const queue = [...urls];
    async function worker() {
      while (queue.length) {
        const url = queue.shift();
        try {
          sizes[url] = await fetchInto(cache, url);
        } catch (error) {
          failed.push(url);
        }
        if (onEach) onEach();
      }
    }
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    return { sizes, failed };
  }

  const NO_CONNECTION = "Check your connection and try again.";

  async function askForList() {
    let response;
    try {
      response = await fetch(offlineUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
    } catch (error) {
      throw new Error(NO_CONNECTION);
    }
    let body = {};
    try {
      body = await response.json();
    } catch (error) {
      body = {};
    }
    if (!response.ok) throw new Error(body.error || `The papers could not be listed. ${NO_CONNECTION}`);
    return body;
  }

  async function keep() {
    busy = true;
    button.setAttribute("aria-disabled", "true");
    say("Keeping this meeting's papers on this device…");
    try {
      const listing = await askForList();
      const papers = listing.urls.map((entry) => entry.url);
      const urls = [...new Set([...papers, ...staticFiles()])];
      const cache = await caches.open(cacheName(meeting));
      await cache.delete(META);
      let done = 0;
      let told = Date.now();
      progress.max = urls.length;
      progress.value = 0;
      progress.hidden = false;
      const { sizes, failed } = await fetchAll(cache, urls, () => {
        progress.value = ++done;
        if (Date.now() - told > 1500) {
          told = Date.now();
          say(`Keeping this meeting's papers on this device: ${done} of ${urls.length} files…`);
        }
      });
      if (failed.includes(papers[0])) throw new Error(`The meeting's page could not be fetched. ${NO_CONNECTION}`);
      await writeMeta(cache, listing, sizes, failed.filter((url) => papers.includes(url)));
      await render();
    } catch (error) {
      await caches.delete(cacheName(meeting));
      await render();
      say(`Not kept on this device. ${error.message}`);
    } finally {
      busy = false;
      progress.hidden = true;
      button.removeAttribute("aria-disabled");
    }
  }

  async function writeMeta(cache, listing, sizes, missing) {
    const meta = {
      meeting: listing.meeting,
      title: listing.title,
      starts_at: listing.starts_at,
      url: listing.urls[0].url,
      kept_at: new Date().toISOString(),
      urls: listing.urls.map((entry) => entry.url),
      exempt_urls: listing.urls.filter((entry) => entry.exempt).map((entry) => entry.url),
      sizes,
      missing,
    };
    meta.bytes = Object.values(sizes).reduce((sum, size) => sum + size, 0);
    await cache.put(META, new Response(JSON.stringify(meta), { headers: { "Content-Type": "application/json" } }));
    return meta;
  }

  // Online, a kept meeting's copy is brought up to date: what the server lists now and this page's
  // static files are fetched if missing, and anything else is deleted (a paper no longer listed for
  // this person among them). The service worker stores a fresh copy of each kept address as it is read.
  async function bringUpToDate(cache, meta) {
    const listing = await askForList();
    const listed = listing.urls.map((entry) => entry.url);
    const wanted = new Set([...listed, ...staticFiles()]);
    const sizes = {};
    for (const request of await cache.keys()) {
      const url = new URL(request.url);
      const key = url.pathname + url.search;
      if (key === META) continue;
      if (wanted.has(key)) sizes[key] = (meta.sizes || {})[key] || 0;
      else await cache.delete(request);
    }
    const fetched = await fetchAll(cache, [...wanted].filter((url) => !(url in sizes)));
    Object.assign(sizes, fetched.sizes);
    return writeMeta(cache, listing, sizes, fetched.failed.filter((url) => listed.includes(url)));
  }

  async function remove() {
    await caches.delete(cacheName(meeting));
    await render();
    say("Removed from this device.");
    button.focus();
  }

  async function drop(pk, reason) {
    await caches.delete(cacheName(pk));
    localStorage.removeItem(`reader-notes-${user}-${pk}`);
    if (pk === meeting) {
      await render();
      say(`Removed from this device. ${reason || ""}`.trim());
    }
  }

  // Ask the server which kept meetings this device must drop.
  async function check() {
    if (!navigator.onLine) return;
    const kept = await keptMeetings();
    if (!kept.length) return;
    const response = await fetch(CHECK_URL, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ meetings: kept.map((k) => ({ meeting: Number(k.meeting), exempt: k.meta.exempt_urls || [] })) }),
    });
    if (!response.ok) return; // signed out (403): nothing is known; kept copies stay until asked again
    const answer = await response.json();
    for (const pk of answer.drop || []) await drop(String(pk), (answer.reasons || {})[pk]);
  }

  // The button and the words beside it, from what this device holds now.
  async function render() {
    if (!button) return;
    const cache = (await caches.has(cacheName(meeting))) ? await caches.open(cacheName(meeting)) : null;
    const meta = cache ? await readMeta(cache) : null;
    button.setAttribute("aria-pressed", meta ? "true" : "false");
    button.classList.toggle("active", !!meta); // Bootstrap's look of a pressed toggle button
    removeButton.hidden = !meta;
    if (meta) {
      let text = `Kept on this device: ${megabytes(meta.bytes)}, ${day(meta.kept_at)}.`;
      if (meta.missing && meta.missing.length) {
        text += ` ${meta.missing.length} ${meta.missing.length === 1 ? "file" : "files"} could not be fetched yet.`;
      }
      if (!navigator.onLine) text += " You are offline: this is the kept copy.";
      say(text);
    } else if (!navigator.onLine) {
      say("You are offline, and this meeting is not kept on this device.");
    } else if (/^(Kept|You are offline)/.test(statusLine.textContent)) {
      say(""); // what said it was kept, or offline, no longer holds; what an action said stays
    }
    return meta;
  }

  async function start() {
    if (!supported) {
      if (button) {
        button.setAttribute("aria-disabled", "true");
        say("This browser cannot keep papers for reading offline.");
      }
      return;
    }
    // Before any cache is made: tells the sign-out script (sign-out.js) there is something to delete.
    localStorage.setItem("reader-offline", "used");
    if (button) {
      button.disabled = false;
      button.addEventListener("click", () => {
        if (busy) return;
        if (button.getAttribute("aria-pressed") === "true") remove();
        else keep();
      });
      removeButton.addEventListener("click", () => !busy && remove());
    }
    try {
      await navigator.serviceWorker.register(SW_URL, { scope: SCOPE });
    } catch (error) {
      if (button) say("This browser cannot keep papers for reading offline here.");
      return;
    }
    navigator.serviceWorker.addEventListener("message", (event) => {
      // The worker reached the network after failing to: the notes client sends what was written
      // offline (it listens for the window's "online" too, which not every lost connection fires).
      if (event.data && event.data.type === "reader:online") {
        window.dispatchEvent(new CustomEvent("reader:sync"));
        online();
      }
    });
    window.addEventListener("online", online);
    window.addEventListener("offline", render);
    await forgetOtherPeople();
    const meta = await render();
    await check().catch(() => {});
    if (meta && navigator.onLine && (await caches.has(cacheName(meeting)))) {
      try {
        await bringUpToDate(await caches.open(cacheName(meeting)), meta);
      } catch (error) {
        // Not up to date this time (offline after all, or signed out): the kept copy stays as it was.
      }
      await render();
    }
    document.documentElement.dataset.offlineReady = "true";
  }

  // The connection is back: kept meetings are checked.
  function online() {
    check()
      .catch(() => {})
      .then(render);
  }

  start();
})();
