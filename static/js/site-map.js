// Progressive map: the list of sites above works without it. The map shows
// only when Leaflet loads, and says so when the map tiles cannot be fetched
// (offline kitchens, blocked tile servers), leaving the markers and the list.
(function () {
  "use strict";
  // The words, in the page's language: Django's JavaScript catalog (/jsi18n/, loaded
  // before this script) defines gettext; without it the English is shown as it is.
  var gettext = window.gettext || function (text) { return text; };
  var el = document.getElementById("site-map");
  var status = document.getElementById("site-map-status");
  if (!el || !window.L || !window.fetch) { return; }
  el.hidden = false;
  // Right to left (Arabic): the zoom buttons on the right, the credits on the left.
  var rtl = document.documentElement.dir === "rtl";
  var map = L.map(el, { scrollWheelZoom: false, zoomControl: false, attributionControl: false });
  L.control.zoom({ position: rtl ? "topright" : "topleft" }).addTo(map);
  map.attributionControl = L.control
    .attribution({ position: rtl ? "bottomleft" : "bottomright" })
    .addTo(map);
  var tilesFailed = false;
  var NO_TILES = gettext("The map background could not load; the sites are still marked, and listed below.");
  var MORE = gettext("There are more sites than the map shows at once: zoom in to see every site in view.");
  var truncated = false;
  function say() {
    status.textContent = [tilesFailed ? NO_TILES : "", truncated ? MORE : ""].filter(Boolean).join(" ");
  }
  var tiles = L.tileLayer(el.dataset.tiles, {
    maxZoom: 18,
    attribution: "&copy; OpenStreetMap contributors",
  });
  tiles.on("tileerror", function () {
    if (!tilesFailed) {
      tilesFailed = true;
      el.classList.add("site-map--no-tiles");
      say();
    }
  });
  tiles.addTo(map);

  // Markers that would sit on one another at this zoom (two sites a street apart seen
  // from across the country) stand side by side, each still pointing at its own place.
  function spread(markers) {
    var groups = [];
    markers.forEach(function (marker) {
      var point = map.latLngToLayerPoint(marker.getLatLng());
      var group = groups.find(function (g) { return g.point.distanceTo(point) < 26; });
      if (group) { group.markers.push(marker); } else { groups.push({ point: point, markers: [marker] }); }
    });
    groups.forEach(function (group) {
      group.markers.forEach(function (marker, i) {
        var dx = Math.round((i - (group.markers.length - 1) / 2) * 28);
        if (marker.spreadBy === dx) { return; }
        marker.spreadBy = dx;
        marker.setIcon(new L.Icon.Default({ iconAnchor: [12 - dx, 41], popupAnchor: [1 + dx, -34] }));
      });
    });
  }
  // One answer carries at most a thousand sites (`truncated` says when there were
  // more): the map then asks again for the area in view each time it is moved.
  var layer = null;
  var markers = [];
  var asked = 0;
  var placed = false;
  function url(bounds) {
    if (!bounds) { return el.dataset.geojson; }
    var box = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
      .map(function (n) { return Math.max(-180, Math.min(180, n)).toFixed(5); });
    box[1] = Math.max(-90, box[1]); box[3] = Math.min(90, box[3]);
    return el.dataset.geojson + (el.dataset.geojson.indexOf("?") < 0 ? "?" : "&") + "bbox=" + box.join(",");
  }
  function show(data) {
    if (layer) { map.removeLayer(layer); }
    markers = [];
    layer = L.geoJSON(data, {
      // The site's name is the marker's name (a screen reader said "Marker" for each).
      pointToLayer: function (feature, latlng) {
        var name = feature.properties.name;
        var marker = L.marker(latlng, { alt: name, title: name });
        markers.push(marker);
        return marker;
      },
      onEachFeature: function (feature, marker) {
        var p = feature.properties;
        var box = document.createElement("div");
        var link = document.createElement("a");
        link.href = p.url;
        link.textContent = p.name;
        box.appendChild(link);
        var kind = document.createElement("p");
        kind.textContent = p.kind;
        box.appendChild(kind);
        p.hours.forEach(function (line) {
          var h = document.createElement("p");
          h.textContent = line;
          box.appendChild(h);
        });
        marker.bindPopup(box);
      },
    }).addTo(map);
    if (!placed) {
      placed = true;
      if (data.features.length) {
        map.fitBounds(layer.getBounds().pad(0.3));
      } else {
        map.setView([20, 0], 2);
      }
    }
    spread(markers);
    el.dataset.ready = String(data.features.length);
    truncated = !!data.truncated;
    say();
  }
  function load(bounds) {
    var mine = ++asked;
    return fetch(url(bounds), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (mine === asked) { show(data); }
        return data;
      });
  }
  map.on("zoomend", function () { spread(markers); });
  load(null)
    .then(function (data) {
      if (data.truncated) {
        var waiting = null;
        map.on("moveend", function () {
          window.clearTimeout(waiting);
          waiting = window.setTimeout(function () { load(map.getBounds()); }, 300);
        });
      }
    })
    .catch(function () {
      el.hidden = true;
      status.textContent = gettext("The map could not load; every site is listed below.");
    });
})();
