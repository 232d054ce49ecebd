// Reading a barcode with the phone's camera, on the donation form.
//
// Each line has a "Barcode" box and a "Fill from barcode" button that work without this
// script (type the digits, press the button: the server fills the line). This script adds
// "Scan" (live camera) and "Take a photo of the barcode" (a photo, for phones that give
// no live camera to a web page), puts what they read in the box and presses the button.
//
// Decoding uses the browser's own BarcodeDetector where it reads the codes on food
// (Chrome on Android); elsewhere the vendored barcode-detector ponyfill (ZXing-C++ as
// WebAssembly), loaded only when first needed, from our own static files: the script's
// data-decoder and data-wasm attributes give their URLs.
(function () {
  "use strict";
  // The words, in the page's language: Django's JavaScript catalog (/jsi18n/, loaded
  // before this script) defines gettext; without it the English is shown as it is.
  var gettext = window.gettext || function (text) { return text; };
  var script = document.currentScript;
  var FORMATS = ["ean_13", "ean_8", "upc_a", "upc_e", "code_128", "data_matrix", "qr_code", "itf"];
  var detecting = null;

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = src;
      tag.onload = resolve;
      tag.onerror = function () { reject(readerError()); };
      document.head.appendChild(tag);
    });
  }

  function readerError() {
    var error = new Error(gettext("The barcode reader could not be loaded."));
    error.name = "ReaderError";
    return error;
  }

  function nativeDetector() {
    if (!("BarcodeDetector" in window)) return Promise.resolve(null);
    return window.BarcodeDetector.getSupportedFormats().then(function (supported) {
      // A detector that cannot read GS1 DataMatrix codes misses the lot and dates.
      if (supported.indexOf("data_matrix") < 0 || supported.indexOf("ean_13") < 0) return null;
      return new window.BarcodeDetector({
        formats: FORMATS.filter(function (f) { return supported.indexOf(f) >= 0; })
      });
    }).catch(function () { return null; });
  }

  function vendoredDetector() {
    return loadScript(script.dataset.decoder).then(function () {
      var api = window.BarcodeDetectionAPI;
      var wasm = script.dataset.wasm;
      api.prepareZXingModule({
        overrides: {
          locateFile: function (path, prefix) { return path.endsWith(".wasm") ? wasm : prefix + path; }
        }
      });
      return new api.BarcodeDetector({ formats: FORMATS });
    });
  }

  function detector() {
    if (!detecting) {
      detecting = nativeDetector().then(function (found) { return found || vendoredDetector(); });
      detecting.catch(function () { detecting = null; });
    }
    return detecting;
  }

  function say(box, text) {
    box.querySelector("[data-scan-status]").textContent = text;
  }

  function use(box, codes) {
    if (!codes.length) return false;
    var input = box.querySelector("[data-scan-input]");
    input.value = codes[0].rawValue;
    say(box, gettext("Read a barcode: filling the line…"));
    box.querySelector("[data-scan-fill]").click();
    return true;
  }

  function stopCamera(box) {
    if (box.scanStop) box.scanStop();
  }

  function startCamera(box) {
    var view = box.querySelector("[data-scan-view]");
    var video = view.querySelector("video");
    var stopped = false;
    say(box, gettext("Starting the camera…"));
    Promise.all([
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }),
      detector()
    ]).then(function (got) {
      var stream = got[0], reader = got[1];
      box.scanStop = function () {
        stopped = true;
        stream.getTracks().forEach(function (track) { track.stop(); });
        video.srcObject = null;
        view.hidden = true;
        box.scanStop = null;
      };
      video.srcObject = stream;
      view.hidden = false;
      say(box, gettext("Point the camera at the barcode."));
      var failures = 0;
      function look() {
        if (stopped) return;
        reader.detect(video).then(function (codes) {
          if (stopped) return;
          if (codes.length) {
            box.scanStop();
            use(box, codes);
          } else {
            window.setTimeout(look, 250);
          }
        }, function () {
          // A frame before the video starts fails; a reader that cannot run fails on.
          failures += 1;
          if (failures < 20) {
            window.setTimeout(look, 500);
          } else {
            box.scanStop();
            say(box, gettext("The barcode reader could not run: take a photo of the barcode, or type the digits."));
          }
        });
      }
      video.play().then(look, look);
    }).catch(function (error) {
      var why = gettext("No camera could be used: take a photo of the barcode, or type the digits under it.");
      if (error && error.name === "NotAllowedError") {
        why = gettext("The camera was not allowed: take a photo of the barcode, or type the digits under it.");
      }
      if (error && error.name === "ReaderError") {
        why = gettext("The barcode reader could not be loaded: take a photo of the barcode, or type the digits under it.");
      }
      say(box, why);
    });
  }

  function readPhoto(box, file) {
    say(box, gettext("Reading the photo…"));
    detector().then(function (reader) {
      var image = window.createImageBitmap ? window.createImageBitmap(file) : Promise.resolve(file);
      return image.then(function (bitmap) { return reader.detect(bitmap); });
    }).then(function (codes) {
      if (!use(box, codes)) {
        say(box, gettext("No barcode found in the photo: take it again, closer and sharp, or type the digits."));
      }
    }).catch(function () {
      say(box, gettext("The photo could not be read: type the digits under the barcode."));
    });
  }

  function setUp(root) {
    var canDecode = "BarcodeDetector" in window || typeof WebAssembly === "object";
    if (!canDecode) return;
    var camera = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
    root.querySelectorAll("[data-scan]").forEach(function (box) {
      box.querySelector("[data-scan-tools]").hidden = false;
      box.querySelector("[data-scan-camera]").hidden = !camera;
    });
  }

  document.addEventListener("click", function (event) {
    var box = event.target.closest("[data-scan]");
    if (!box) return;
    if (event.target.closest("[data-scan-camera]")) startCamera(box);
    if (event.target.closest("[data-scan-stop]")) {
      stopCamera(box);
      say(box, "");
    }
  });
  document.addEventListener("change", function (event) {
    var input = event.target.closest("[data-scan-photo]");
    if (input && input.files.length) readPhoto(input.closest("[data-scan]"), input.files[0]);
  });
  // A scanner gun types the code and Enter: fill this line, not the form's first button.
  document.addEventListener("keydown", function (event) {
    var input = event.target.closest && event.target.closest("[data-scan-input]");
    if (!input || event.key !== "Enter") return;
    event.preventDefault();
    input.closest("[data-scan]").querySelector("[data-scan-fill]").click();
  });
  document.addEventListener("htmx:load", function (event) { setUp(event.target); });
  setUp(document);
})();
