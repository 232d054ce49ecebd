// Progressive map: the list of sites above works without it. The map shows
// only when Leaflet loads, and says so when the map tiles cannot be fetched
// (offline kitchens, blocked tile servers), leaving the markers and the list.
(function () {
  "use strict";
  var el = document.getElementById("site-map");
  var status = document.getElementById("site-map-status");
  if (!el || !window.L || !window.fetch) { return; }
  el.hidden = false;
  var map = L.map(el, { scrollWheelZoom: false });
  var tilesFailed = false;
  var tiles = L.tileLayer(el.dataset.tiles, {
    maxZoom: 18,
    attribution: "&copy; OpenStreetMap contributors",
  });
  tiles.on("tileerror", function () {
    if (!tilesFailed) {
      tilesFailed = true;
      el.classList.add("site-map--no-tiles");
      status.textContent = "The map background could not load; the sites are still marked, and listed below.";
    }
  });
  tiles.addTo(map);
  fetch(el.dataset.geojson, { headers: { Accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, {
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
      if (data.features.length) {
        map.fitBounds(layer.getBounds().pad(0.3));
      } else {
        map.setView([20, 0], 2);
      }
      el.dataset.ready = String(data.features.length);
    })
    .catch(function () {
      el.hidden = true;
      status.textContent = "The map could not load; every site is listed below.";
    });
})();
