/* Commonpot offline: install the service worker, and keep forms sent with no
 * connection on the phone until the connection comes back.
 *
 * A form marked data-offline="what it records" (check-in, waste, distribution,
 * count, donation, a temperature reading) that is sent while the phone is offline
 * is kept in IndexedDB with its fields and its one-time token (and, in each
 * data-offline-stamp field, the moment it was kept), and the page says "N waiting
 * to send". When the connection returns, the queue is sent in the order it was
 * filled in. The server's token check makes a form sent twice record once, so
 * sending again after a lost answer or a reload is safe. What the server refuses
 * (stock gone meanwhile, a shift deleted) stays listed with its reason, to fix
 * (the form opens filled in) or to drop.
 *
 * Without JavaScript none of this runs and every form works as it always has.
 * See docs/offline.md.
 */
(function () {
  "use strict";

  // The words, in the page's language: Django's JavaScript catalog (/jsi18n/, loaded
  // before this script) defines these; without it the English is shown as it is.
  const gettext = window.gettext || ((text) => text);
  const ngettext = window.ngettext || ((singular, plural, n) => (n === 1 ? singular : plural));
  const interpolate =
    window.interpolate ||
    ((format, values, named) =>
      named
        ? format.replace(/%\((\w+)\)s/g, (match, name) => String(values[name]))
        : format.replace(/%s/g, () => String(values.shift())));

  const script = document.currentScript;
  const DB_NAME = "commonpot-offline";
  const STORE = "queue";
  const ME = document.body.dataset.user || "";

  // --- The queue, in IndexedDB: entries in the order they were made (id). ------------

  let database = null;

  function opened() {
    if (!database) {
      database = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = () =>
          request.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }
    return database;
  }

  async function inStore(mode, action) {
    const db = await opened();
    return new Promise((resolve, reject) => {
      const request = action(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  const entries = () => inStore("readonly", (s) => s.getAll());
  const addEntry = (entry) => inStore("readwrite", (s) => s.add(entry));
  const putEntry = (entry) => inStore("readwrite", (s) => s.put(entry));
  const dropEntry = (id) => inStore("readwrite", (s) => s.delete(id));
  const clearEntries = () => inStore("readwrite", (s) => s.clear());

  function newToken() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function clock(iso) {
    const options = { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
    return new Date(iso).toLocaleString([], options);
  }

  // --- Queueing a form -------------------------------------------------------------

  /* Keep `form` in the queue. `mayHaveArrived`: the post went out and no answer came
   * (the server may have recorded it), so its token is kept and a second send is
   * answered as the same form. Otherwise it never left the phone and gets a new
   * token: the page may be a kept copy whose token was already used online. */
  async function queueForm(form, submitter, mayHaveArrived) {
    const data = submitter ? new FormData(form, submitter) : new FormData(form);
    if (!mayHaveArrived || !data.get("token")) data.set("token", newToken());
    const queuedAt = new Date().toISOString();
    // A reading is of the moment it was taken, not of when the queue gets through.
    for (const stamp of form.querySelectorAll("input[data-offline-stamp]")) {
      if (!data.get(stamp.name)) data.set(stamp.name, queuedAt);
    }
    const fields = [];
    for (const [name, value] of data.entries()) {
      if (typeof value === "string") fields.push([name, value]);
    }
    await addEntry({
      user: ME,
      label: form.dataset.offline,
      action: form.action,
      page: location.href,
      fields: fields,
      token: data.get("token"),
      queuedAt: queuedAt,
      state: "waiting",
    });
    // The queued token is spent: whatever is filled in next on this form is a new entry.
    const token = form.querySelector('input[name="token"]');
    if (token) token.setAttribute("value", (token.value = newToken()));
    // A roster row keeps what the lead chose in view; other forms empty for the next entry.
    if (!form.classList.contains("check-in")) form.reset();
    const waitingNote = interpolate(gettext("Waiting to send · %(time)s"), { time: clock(queuedAt) }, true);
    note(form, waitingNote, data.get("token"));
    await show();
  }

  function note(form, text, token) {
    let p = form.nextElementSibling;
    if (!p || !p.classList.contains("offline-note")) {
      p = document.createElement("p");
      p.className = "offline-note";
      p.setAttribute("role", "status");
      form.after(p);
    }
    p.textContent = text;
    p.dataset.token = token || "";
  }

  function noteSent(entry, outcome) {
    for (const p of document.querySelectorAll(".offline-note")) {
      if (p.dataset.token !== entry.token) continue;
      p.textContent = outcome.sent
        ? gettext("Sent and recorded.")
        : interpolate(gettext("Not recorded: %(reason)s"), { reason: outcome.refused }, true);
    }
  }

  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (form.hasAttribute("data-offline-logout")) {
        event.preventDefault();
        logOut(form);
        return;
      }
      if (!form.matches("form[data-offline]")) return;
      // A button that fetches part of the form ("Add a line") is htmx's, not a send.
      if (event.submitter && event.submitter.hasAttribute("hx-get")) return;
      if (navigator.onLine) {
        // htmx sends its own forms (one whose post is dropped is queued below).
        if (!form.hasAttribute("hx-post") && !form.dataset.offlineNative) {
          event.preventDefault();
          sendOrKeep(form, event.submitter);
        }
        return;
      }
      // Before htmx's own handler on the form: the form goes to the queue, not the network.
      event.preventDefault();
      event.stopImmediatePropagation();
      queueForm(form, event.submitter, false);
    },
    true
  );

  /* Online by the phone's account, a plain form is sent by fetch first, so that a
   * signal gone after all (no answer, or none within SEND_WAIT) keeps it on the phone
   * instead of leaving the person on the browser's error page. Its token is kept: the
   * post may have got there, and a second send is then the same form. Saved (the
   * server says where to go, X-Commonpot-Location): the browser goes there. Anything
   * else (the form with its errors): the browser sends the form itself and shows the
   * answer as always; a refused form wrote nothing, and a saved one is not sent twice
   * (its token). */
  const SEND_WAIT = 20000;

  async function sendOrKeep(form, submitter) {
    const data = submitter ? new FormData(form, submitter) : new FormData(form);
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), SEND_WAIT);
    let response;
    try {
      response = await fetch(form.action || location.href, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-Commonpot-Send": "1" },
        signal: stop.signal,
      });
    } catch (error) {
      await queueForm(form, submitter, true);
      return;
    } finally {
      clearTimeout(timer);
    }
    const next = response.headers.get("X-Commonpot-Location");
    if (response.status === 204 && next) {
      location.assign(next);
      return;
    }
    if (submitter && submitter.name) {
      form.append(element("input", { type: "hidden", name: submitter.name, value: submitter.value }));
    }
    form.dataset.offlineNative = "1";
    HTMLFormElement.prototype.submit.call(form);
  }

  // Online by the phone's account, but the form's own htmx post never got there (a
  // dropped signal). Not a helper inside the form ("Add a line", an item search).
  document.addEventListener("htmx:sendError", (event) => {
    const elt = event.detail.elt;
    const verb = (event.detail.requestConfig && event.detail.requestConfig.verb) || "";
    if (elt.matches && elt.matches("form[data-offline]") && verb.toLowerCase() === "post") {
      queueForm(elt, null, true);
    }
  });

  // --- Sending the queue -----------------------------------------------------------

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  const GONE = gettext("It is gone: what this was for (a shift, a sign-up or a lot) was deleted meanwhile.");

  // Where a page says why a form was not taken: the form's errors, or a message
  // on the page a refused form leads to (a check-in sent as a plain form, a form
  // already sent with other figures).
  const FORM_ERRORS = ".errorlist li, .form-errors p, .form-errors li, p.error";
  const REFUSAL_MESSAGES = ".message.error, .message.warning";

  function textsOf(doc, selector) {
    const texts = Array.from(doc.querySelectorAll(selector), (e) => e.textContent.trim());
    return Array.from(new Set(texts.filter(Boolean))).join(" ");
  }

  /* Post one entry. Answers {sent: true}, {refused: reason}, or {later: reason}
   * when it could not get there (kept, and the sending stops so the order holds). */
  async function post(entry) {
    const body = new URLSearchParams();
    const csrf = csrfToken();
    for (const [name, value] of entry.fields) {
      body.append(name, name === "csrfmiddlewaretoken" && csrf ? csrf : value);
    }
    let response;
    try {
      response = await fetch(entry.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf },
      });
    } catch (error) {
      return { later: gettext("No connection.") };
    }
    if (new URL(response.url).pathname.startsWith("/accounts/login/")) {
      return { later: gettext("Log in again to send it.") };
    }
    if (response.status >= 500) return { later: gettext("The server could not take it just now.") };
    if (response.status === 404) return { refused: GONE };
    if (response.status === 403) return { refused: gettext("You may no longer do this here.") };
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    if (!response.ok) {
      const reason = textsOf(doc, `${FORM_ERRORS}, ${REFUSAL_MESSAGES}`);
      const refused = interpolate(gettext("Refused (%(status)s)."), { status: response.status }, true);
      return { refused: reason || refused };
    }
    const message = textsOf(doc, REFUSAL_MESSAGES);
    return message ? { refused: message } : { sent: true };
  }

  let sending = null;

  /* Send every waiting entry, oldest first. Called again while sending, it waits
   * for the send under way rather than starting a second one. */
  function flush() {
    if (!sending) {
      sending = sendAll().finally(() => {
        sending = null;
      });
    }
    return sending;
  }

  async function sendAll() {
    if (!navigator.onLine) return;
    for (const entry of await entries()) {
      if (entry.state !== "waiting" || entry.user !== ME) continue;
      const outcome = await post(entry);
      if (outcome.later) {
        await show(outcome.later);
        return;
      }
      if (outcome.sent) await dropEntry(entry.id);
      else await putEntry({ ...entry, state: "refused", reason: outcome.refused });
      noteSent(entry, outcome);
      await show();
    }
    await show();
  }

  // --- What the page shows ---------------------------------------------------------

  function panel() {
    let section = document.getElementById("offline-status");
    if (!section) {
      section = document.createElement("section");
      section.id = "offline-status";
      section.className = "offline-status";
      section.setAttribute("aria-label", gettext("Working offline"));
      const main = document.getElementById("main");
      main.prepend(section);
    }
    return section;
  }

  function element(tag, attributes, text) {
    const e = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) e.setAttribute(name, value);
    if (text) e.textContent = text;
    return e;
  }

  async function show(problem) {
    let queue = [];
    try {
      queue = (await entries()).filter((e) => e.user === ME);
    } catch (error) {
      return; // no IndexedDB (a private window in some browsers): nothing was queued either
    }
    const waiting = queue.filter((e) => e.state === "waiting");
    const refused = queue.filter((e) => e.state === "refused");
    const asOf = document.documentElement.dataset.offlineAsOf;
    const section = panel();
    section.replaceChildren();
    section.hidden = !asOf && navigator.onLine && !queue.length;
    if (asOf && !navigator.onLine) {
      section.append(element("p", { class: "offline-banner", role: "status" },
        interpolate(gettext("Offline — showing the page as of %(time)s."), { time: clock(asOf) }, true)));
    } else if (asOf) {
      // One sentence with a link in it: the link goes where the sentence says %(link)s.
      const words = { time: clock(asOf) };
      const sentence = gettext("Back online. This page is as of %(time)s: %(link)s for the latest.");
      const [before, after = ""] = sentence.split("%(link)s");
      const back = element("p", { class: "offline-banner", role: "status" });
      back.append(
        interpolate(before, words, true),
        element("a", { href: location.href }, gettext("reload it")),
        interpolate(after, words, true)
      );
      section.append(back);
    } else if (!navigator.onLine) {
      section.append(element("p", { class: "offline-banner", role: "status" },
        gettext("Offline — what you send now waits on this phone.")));
    }
    if (waiting.length) {
      const n = waiting.length;
      const line = element("p", { class: "offline-waiting", role: "status" },
        interpolate(ngettext("%(n)s waiting to send", "%(n)s waiting to send", n), { n: n }, true));
      if (problem) line.append(element("span", { class: "meta" }, ` · ${problem}`));
      if (navigator.onLine) {
        const button = element("button", { type: "button", class: "small secondary" }, gettext("Send now"));
        button.addEventListener("click", () => flush());
        line.append(" ", button);
      }
      section.append(line);
      const list = element("ul", { class: "plain offline-list" });
      for (const e of waiting) list.append(element("li", {}, `${e.label} · ${clock(e.queuedAt)}`));
      section.append(list);
    }
    if (refused.length) {
      section.append(element("h2", { class: "offline-refused-heading" }, gettext("Not recorded")));
      const list = element("ul", { class: "plain offline-refused" });
      for (const e of refused) {
        const item = element("li", { class: "offline-refused-item" });
        item.append(element("strong", {}, e.label), ` (${clock(e.queuedAt)}): ${e.reason} `);
        const fix = element("a", { class: "button small secondary", href: fixUrl(e) }, gettext("Fix"));
        const drop = element("button", { type: "button", class: "small danger" }, gettext("Drop"));
        drop.addEventListener("click", async () => {
          await dropEntry(e.id);
          await show();
        });
        item.append(fix, " ", drop);
        list.append(item);
      }
      section.append(list);
    }
  }

  // --- Fixing a refused entry: the form opens filled in ---------------------------

  function fixUrl(entry) {
    const url = new URL(entry.page);
    url.hash = `offline-fix-${entry.id}`;
    return url.href;
  }

  async function fillFromHash() {
    const match = /^#offline-fix-(\d+)$/.exec(location.hash);
    if (!match) return;
    const entry = (await entries()).find((e) => e.id === Number(match[1]));
    if (!entry) return;
    const bare = (address) => address.split("#")[0];
    const form = Array.from(document.querySelectorAll("form[data-offline]")).find(
      (f) => bare(f.action) === bare(entry.action)
    );
    if (!form) return;
    const values = new Map();
    for (const [name, value] of entry.fields) {
      if (name === "csrfmiddlewaretoken" || name === "token") continue;
      values.set(name, [...(values.get(name) || []), value]);
    }
    for (const field of form.elements) {
      const given = values.get(field.name);
      if (!given || field.type === "submit" || field.type === "hidden") continue;
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = given.includes(field.value);
      } else if (field.multiple) {
        for (const option of field.options) option.selected = given.includes(option.value);
      } else {
        field.value = given[0];
      }
    }
    await dropEntry(entry.id);
    note(
      form,
      interpolate(
        gettext("Filled in from what was not recorded: %(reason)s Change it and send again."),
        { reason: entry.reason },
        true
      )
    );
    form.scrollIntoView();
    const first = form.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
    history.replaceState(null, "", location.pathname + location.search);
  }

  // --- Logging out, and another person on the same phone --------------------------

  async function forget() {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith("commonpot-")).map((n) => caches.delete(n)));
    await clearEntries();
  }

  async function logOut(form) {
    const waiting = (await entries().catch(() => [])).filter((e) => e.user === ME);
    if (waiting.length) {
      const n = waiting.length;
      const sure = window.confirm(
        interpolate(
          ngettext(
            "%(n)s form(s) on this phone were not recorded yet and will be lost. Log out anyway?",
            "%(n)s form(s) on this phone were not recorded yet and will be lost. Log out anyway?",
            n
          ),
          { n: n },
          true
        )
      );
      if (!sure) return;
    }
    try {
      await forget();
    } finally {
      HTMLFormElement.prototype.submit.call(form);
    }
  }

  async function checkPerson() {
    // A page of another person than the last one (a shared phone, a login without a
    // logout): what the last one kept and queued is not this person's to read or send.
    const KEY = "commonpot-offline-user";
    const last = localStorage.getItem(KEY);
    if (ME && last && last !== ME) await forget();
    if (ME) localStorage.setItem(KEY, ME);
  }

  async function listKeptPages() {
    const list = document.getElementById("offline-kept-pages");
    if (!list || !("caches" in window)) return;
    const cache = await caches.open("commonpot-pages-v1");
    list.replaceChildren();
    for (const request of await cache.keys()) {
      const url = new URL(request.url);
      if (url.pathname === location.pathname) continue;
      const text = await (await cache.match(request)).text();
      const title = (/<title>([^<]*)<\/title>/.exec(text) || [])[1] || url.pathname;
      const item = element("li");
      item.append(element("a", { href: url.pathname + url.search }, title.trim()));
      list.append(item);
    }
    if (!list.children.length) list.append(element("li", { class: "meta" }, gettext("None yet.")));
  }

  // --- Start -----------------------------------------------------------------------

  window.commonpotOffline = { flush: flush, entries: entries, show: show };

  if ("serviceWorker" in navigator && script && script.dataset.serviceWorker) {
    navigator.serviceWorker.register(script.dataset.serviceWorker, { scope: "/" }).catch(() => {});
  }
  window.addEventListener("online", () => flush());
  // "Fix" on the page the form is on only changes the address's #fragment.
  window.addEventListener("hashchange", () => fillFromHash().then(() => show()));
  window.addEventListener("offline", () => show());

  (async () => {
    if (!("indexedDB" in window)) return;
    await checkPerson();
    await fillFromHash();
    await show();
    await listKeptPages();
    if (navigator.onLine) await flush();
  })();
})();
