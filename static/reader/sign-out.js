/* Signing out leaves no papers and no notes on the device (issue 20): before the sign-out form is sent,
   every "reader-" cache (the meetings kept for reading offline, exempt papers among them) is deleted,
   and so is everything the reader stored in this browser except the notes not yet sent to the server
   ("reader-outbox-<user pk>"), which are sent at that person's next sign-in and must never be lost.
   Loaded on every signed-in page; data-sign-out names the sign-out address. A Clear-Site-Data header
   cannot do this: "cache" leaves Cache Storage alone in Chromium, and "storage" would take the unsent
   notes with it. */
(() => {
  "use strict";

  const signOut = new URL(document.currentScript.dataset.signOut, location.href).pathname;
  const LIMIT_MS = 3000;

  // Whether the reader has stored anything in this browser. offline.js marks it before it makes a cache
  // ("reader-offline"), so a browser that never opened the reader signs out at once, as without this script.
  function readerUsed() {
    return [localStorage, sessionStorage].some((storage) =>
      Object.keys(storage).some((key) => key.startsWith("reader-") && !key.startsWith("reader-outbox-")),
    );
  }

  async function purge() {
    if ("caches" in window) {
      const names = await caches.keys();
      await Promise.all(names.filter((name) => name.startsWith("reader-")).map((name) => caches.delete(name)));
    }
    for (const storage of [localStorage, sessionStorage]) {
      for (const key of Object.keys(storage)) {
        if (key.startsWith("reader-") && !key.startsWith("reader-outbox-")) storage.removeItem(key);
      }
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented || form.dataset.purged) return;
    if (new URL(form.action, location.href).pathname !== signOut || !readerUsed()) return;
    event.preventDefault();
    const limit = new Promise((resolve) => setTimeout(resolve, LIMIT_MS));
    // Twice: a kept copy being brought up to date when the first pass ran may write once more after it.
    const twice = purge()
      .then(() => new Promise((resolve) => setTimeout(resolve, 300)))
      .then(purge);
    Promise.race([twice, limit])
      .catch(() => {})
      .finally(() => {
        form.dataset.purged = "true";
        form.submit();
      });
  });
})();
