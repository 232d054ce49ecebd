/* "Turn on notifications on this phone" on the profile: registers the service
 * worker, asks the browser for a push subscription with this install's VAPID
 * key, and posts it to the server. Without support, the button says so. */
(function () {
  // The words, in the page's language: Django's JavaScript catalog (/jsi18n/, loaded
  // before this script) defines gettext; without it the English is shown as it is.
  var gettext = window.gettext || function (text) { return text; };
  var button = document.getElementById("push-on");
  if (!button) return;
  var status = document.getElementById("push-status");
  function say(text) {
    status.textContent = text;
  }
  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    button.disabled = true;
    say(gettext("This browser cannot show notifications from a website."));
    return;
  }
  button.addEventListener("click", function () {
    button.disabled = true;
    say(gettext("Asking this phone…"));
    Notification.requestPermission()
      .then(function (permission) {
        if (permission !== "granted") throw new Error(gettext("Notifications are blocked for this site in the browser's settings."));
        return navigator.serviceWorker.register(button.dataset.worker, { scope: "/" });
      })
      .then(function () {
        return navigator.serviceWorker.ready;
      })
      .then(function (registration) {
        return registration.pushManager.getSubscription().then(function (existing) {
          return existing || registration.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: keyBytes(button.dataset.key),
          });
        });
      })
      .then(function (subscription) {
        var body = subscription.toJSON();
        body.label = navigator.userAgent.slice(0, 120);
        return fetch(button.dataset.url, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": button.dataset.csrf },
          body: JSON.stringify(body),
        });
      })
      .then(function (response) {
        if (!response.ok) return response.json().then(function (d) { throw new Error(d.error || gettext("Could not save.")); });
        say(gettext("Notifications are on for this phone."));
        window.location.reload();
      })
      .catch(function (error) {
        button.disabled = false;
        say(error.message || String(error));
      });
  });
})();
