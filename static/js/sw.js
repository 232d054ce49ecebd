/* Commonpot's service worker: pages stay readable when the connection drops.
 *
 * Served from /sw.js by commonpot.views_offline, which fills in the __NAMES__.
 * Written by hand rather than with Workbox: it does one thing (network first,
 * the last copy when there is no network) and reads in a minute.
 *
 * - A page (a navigation, GET) is fetched from the server; a good answer is
 *   kept, stamped with the time, and the newest 60 are kept. With no network the
 *   kept copy is answered, marked so offline.js shows "Offline — showing the
 *   page as of <time>". Never a POST: the worker only looks at GET.
 * - Static files the same way, so a kept page keeps its look and scripts, and
 *   the scripts' strings in the page's language (/jsi18n/<language>.js).
 * - htmx fragments, the accounts and admin pages and other sites are left alone.
 * - Forms sent offline are queued by offline.js in the page, not here.
 * - Logging out empties the caches (offline.js), so the next person on the
 *   phone never reads the last one's pages.
 */
importScripts("__PUSH_SCRIPT__");

const PAGES = "commonpot-pages-v1";
const FILES = "commonpot-files-v1";
const KEEP_PAGES = 60;
const STATIC_URL = "__STATIC_URL__";
const OFFLINE_URL = "__OFFLINE_URL__";
const NEVER = ["/accounts/", "/admin/", "/sw.js"];
const KEPT_AT = "X-Commonpot-Kept-At";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(PAGES).then((cache) => cache.add(OFFLINE_URL)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (NEVER.some((prefix) => url.pathname.startsWith(prefix))) return;
  if (request.headers.get("HX-Request")) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (url.pathname.startsWith(STATIC_URL) || url.pathname.startsWith("/jsi18n/")) {
    event.respondWith(file(request));
  }
});

function keepable(response, types) {
  const type = response.headers.get("Content-Type") || "";
  const control = response.headers.get("Cache-Control") || "";
  return (
    response.ok &&
    response.type === "basic" &&
    !response.redirected &&
    !control.includes("no-store") &&
    types.some((t) => type.startsWith(t))
  );
}

async function page(request) {
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    return keptPage(request);
  }
  if (keepable(response, ["text/html", "application/pdf"])) {
    await keep(request, response.clone());
  }
  return response;
}

// Logging out empties the caches, the offline page with them: it comes back with
// the next page opened online.
async function keepOfflinePage(cache) {
  if (!(await cache.match(OFFLINE_URL))) await cache.add(OFFLINE_URL).catch(() => {});
}

const BARE_OFFLINE_PAGE =
  '<!doctype html><html lang="en"><meta charset="utf-8">' +
  '<meta name="viewport" content="width=device-width, initial-scale=1">' +
  "<title>Offline · Commonpot</title><main><h1>No connection</h1>" +
  "<p>This page was not kept on this phone. Try again when the connection is back.</p></main>";

async function keep(request, response) {
  const headers = new Headers(response.headers);
  headers.set(KEPT_AT, new Date().toISOString());
  const body = await response.blob();
  const cache = await caches.open(PAGES);
  await keepOfflinePage(cache);
  // Deleted first so that the page goes to the end: the oldest are forgotten first.
  await cache.delete(request);
  await cache.put(request, new Response(body, { status: 200, headers }));
  const keys = await cache.keys();
  const extra = keys.filter((k) => new URL(k.url).pathname !== OFFLINE_URL);
  for (const old of extra.slice(0, Math.max(0, extra.length - KEEP_PAGES))) {
    await cache.delete(old);
  }
}

async function keptPage(request) {
  const cache = await caches.open(PAGES);
  const kept = await cache.match(request);
  if (!kept) {
    const offline = await cache.match(OFFLINE_URL);
    if (offline) return offline;
    return new Response(BARE_OFFLINE_PAGE, {
      status: 503,
      headers: { "Content-Type": "text/html; charset=utf-8" },
    });
  }
  const type = kept.headers.get("Content-Type") || "";
  if (!type.startsWith("text/html")) return kept;
  const when = kept.headers.get(KEPT_AT) || "";
  const html = (await kept.text()).replace("<html", `<html data-offline-as-of="${when}"`);
  return new Response(html, { status: 200, headers: kept.headers });
}

async function file(request) {
  const cache = await caches.open(FILES);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    return (await cache.match(request)) || Response.error();
  }
}
