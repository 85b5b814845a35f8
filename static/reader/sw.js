/* The members' reader's service worker (issue 20), served from /reader/sw.js with the scope /reader/.

   Network first, always: while the network answers, every request goes to the server as if there
   were no worker, so a member reads corrected papers and the server's gate decides what they see.
   Only when the network fails does it answer from the caches that static/reader/offline.js filled for
   the meetings a member chose to keep ("reader-<user pk>-meeting-<meeting pk>", each holding what the
   server's offline.json listed for that member, and the reader's static files). It caches nothing of
   its own accord: an address is stored again only when a kept cache already holds it, so that the
   kept copy follows corrections; a meeting not kept, or an exempt paper not listed for the member,
   is never stored. Signing out deletes every "reader-" cache (static/reader/sign-out.js). */
"use strict";

const KEPT = /^reader-\d+-meeting-\d+$/;
// In each kept cache, what offline.js kept: the meeting's title, when, how much (offline.js writes it).
const META = "/reader/__kept__.json";

// Whether the last request found no network: the next one that does tells the pages it is back.
let offline = false;

self.addEventListener("install", (event) => event.waitUntil(self.skipWaiting()));
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(networkFirst(event));
});

async function networkFirst(event) {
  const request = event.request;
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    offline = true;
    const kept = await findKept(request.url);
    return kept ? kept.response : notKept(request);
  }
  if (offline) {
    offline = false;
    event.waitUntil(tellPages({ type: "reader:online" }));
  }
  if (response.status === 200 && response.type === "basic" && !response.redirected) {
    event.waitUntil(refresh(request.url, response.clone()));
  }
  return response;
}

async function keptCacheNames() {
  return (await caches.keys()).filter((name) => KEPT.test(name));
}

// The kept copy of an address, from whichever kept cache holds it. Vary (Cookie) is ignored: a kept
// cache is one person's, and the sign-out deletes them all.
// Looked up by name, never opened: caches.open would make again a cache a sign-out has just deleted.
async function findKept(url) {
  for (const name of await keptCacheNames()) {
    const response = await caches.match(url, { cacheName: name, ignoreVary: true });
    if (response) return { name, response };
  }
  return null;
}

// A fresh answer for an address a kept cache holds replaces the kept one (a corrected paper), if the
// cache is still there.
async function refresh(url, response) {
  const kept = await findKept(url);
  if (kept && (await caches.has(kept.name))) await (await caches.open(kept.name)).put(url, response);
}

async function tellPages(message) {
  for (const client of await self.clients.matchAll({ type: "window" })) client.postMessage(message);
}

function notKept(request) {
  const url = new URL(request.url);
  if (request.mode === "navigate") return offlinePage(url.pathname === "/reader/");
  if (url.pathname.startsWith("/reader/api/")) {
    return new Response(JSON.stringify({ error: "You are offline." }), {
      status: 503,
      headers: { "Content-Type": "application/json" },
    });
  }
  return Response.error();
}

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escape = (text) => String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);

function megabytes(bytes) {
  return bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${Math.round(bytes / 1024 / 1024)} MB`;
}

// Offline and not kept: a page of its own, listing the meetings this device keeps (the reader's
// meetings page, offline, is this list).
async function offlinePage(isIndex) {
  const kept = [];
  for (const name of await keptCacheNames()) {
    const meta = await (await caches.open(name)).match(META);
    if (meta) kept.push(await meta.json());
  }
  kept.sort((a, b) => String(a.starts_at).localeCompare(String(b.starts_at)));
  const items = kept
    .map(
      (m) =>
        `<li><a href="${escape(m.url)}">${escape(m.title)}</a> <span class="muted">(${megabytes(m.bytes)}, kept ` +
        `${escape(new Date(m.kept_at).toLocaleDateString("en-GB", { day: "numeric", month: "short" }))})</span></li>`,
    )
    .join("");
  const lead = isIndex
    ? "You are offline. These meetings are kept on this device: their papers and your notes open without a connection."
    : "You are offline, and this page is not kept on this device.";
  const list = kept.length
    ? `<h2>Kept on this device</h2><ul>${items}</ul>`
    : '<p>No meeting is kept on this device. When you are online, open a meeting and choose "Keep for offline".</p>';
  const html = `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Offline: members' papers</title>
<style>body{font:1.0625rem/1.5 system-ui,sans-serif;margin:0;color:#212529}header{background:#004b6b;color:#fff;padding:.75rem 1rem}
main{max-width:40rem;padding:1rem}a{color:#004b6b}li{margin:.5rem 0}.muted{color:#595959}</style></head>
<body><header>Members' papers</header><main id="main"><h1>Offline</h1><p>${lead}</p>${list}</main></body></html>`;
  return new Response(html, {
    status: isIndex ? 200 : 503,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy":
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    },
  });
}
