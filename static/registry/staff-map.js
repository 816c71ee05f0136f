// Registered cameras on a map: a dot per camera, a wedge for where it points, drawn even with no tile server.
(function () {
  "use strict";
  var el = document.getElementById("registry-map");
  if (!el || !window.L) { return; }
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var markers = JSON.parse(document.getElementById("registry-markers").textContent);
  var pointEl = document.getElementById("search-point");
  var map = L.map(el, { attributionControl: !!config.tileUrl });
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { maxZoom: 19, attribution: config.attribution || "" }).addTo(map);
  } else {
    el.classList.add("no-tiles");
  }

  // A wedge of `fov` degrees around `bearing`, `metres` long, as a polygon.
  function wedge(lat, lon, bearing, fov, metres) {
    var pts = [[lat, lon]];
    var steps = 8;
    for (var i = 0; i <= steps; i++) {
      var b = (bearing - fov / 2 + (fov * i) / steps) * Math.PI / 180;
      var dLat = (metres * Math.cos(b)) / 111320;
      var dLon = (metres * Math.sin(b)) / (111320 * Math.cos(lat * Math.PI / 180));
      pts.push([lat + dLat, lon + dLon]);
    }
    return pts;
  }

  // Leaflet tooltips take HTML: owners' words go in as text.
  function text(value) {
    var span = document.createElement("span");
    span.textContent = String(value);
    return span.innerHTML;
  }

  var bounds = [];
  markers.forEach(function (m) {
    var colour = m.live ? "#2fbf71" : "#4da3ff";
    if (m.bearing !== null && m.fov !== null && m.fov < 360) {
      L.polygon(wedge(m.lat, m.lon, m.bearing, m.fov, 40), {
        color: colour, weight: 1, fillColor: colour, fillOpacity: 0.18, interactive: false
      }).addTo(map);
    }
    var dot = L.circleMarker([m.lat, m.lon], { radius: 7, color: "#0b0f17", weight: 1.5, fillColor: colour, fillOpacity: 0.95 }).addTo(map);
    dot.bindTooltip(text(m.placement + " – " + m.address + " (keeps " + m.retention + " d)"));
    dot.on("click", function () { location.href = "/registry/sites/" + m.site + "/"; });
    bounds.push([m.lat, m.lon]);
  });
  if (pointEl) {
    var p = JSON.parse(pointEl.textContent);
    L.circleMarker(p, { radius: 9, color: "#e5484d", weight: 3, fillOpacity: 0 }).addTo(map).bindTooltip("Search point");
    bounds.push(p);
  }
  if (bounds.length > 1) { map.fitBounds(bounds, { padding: [30, 30], maxZoom: 18 }); }
  else if (bounds.length === 1) { map.setView(bounds[0], 17); }
  else { map.setView(config.center, config.zoom); }
})();
