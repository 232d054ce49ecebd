// A button that gives something up (cancel a place, offer it to a stand-in,
// leave a waitlist) waits a few seconds with an Undo before it is sent.
//
// The form carries data-undo="Cancelling your place" and a hidden
// <input name="confirm" value="ask">. Without this script the server answers
// "ask" with a page that asks "are you sure?"; with it, the countdown is the
// question and the form is sent with confirm=yes when it runs out.
(function () {
  "use strict";
  // The words, in the page's language: Django's JavaScript catalog (/jsi18n/, loaded
  // before this script) defines gettext and interpolate; without it the English is shown as it is.
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values, named) {
    return named
      ? format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); })
      : format.replace(/%s/g, function () { return String(values.shift()); });
  };
  var SECONDS = 5;

  function start(form) {
    var button = form.querySelector("button[type=submit]");
    var status = document.createElement("p");
    var undo = document.createElement("button");
    var left = Number(form.dataset.undoSeconds || SECONDS);
    status.className = "undo-status";
    status.setAttribute("role", "status");
    undo.type = "button";
    undo.className = "secondary";
    undo.textContent = gettext("Undo");
    function say() {
      // "Cancelling your place in 5 s.": the form's data-undo says what is being done.
      var words = { action: form.dataset.undo, seconds: left };
      status.textContent = interpolate(gettext("%(action)s in %(seconds)s s."), words, true) + " ";
      status.appendChild(undo);
    }
    var timer = window.setInterval(function () {
      left -= 1;
      if (left > 0) {
        say();
        return;
      }
      window.clearInterval(timer);
      status.textContent = form.dataset.undo + "…";
      form.querySelector("input[name=confirm]").value = "yes";
      form.dataset.undoSending = "1";
      form.submit();
    }, 1000);
    undo.addEventListener("click", function () {
      window.clearInterval(timer);
      status.remove();
      button.hidden = false;
      button.focus();
    });
    button.hidden = true;
    say();
    form.appendChild(status);
    undo.focus();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-undo]") || form.dataset.undoSending) {
      return;
    }
    event.preventDefault();
    if (!form.querySelector(".undo-status")) {
      start(form);
    }
  });
})();
