// The analysts' incident board: open incidents on the map and in a list by priority, refreshed on every incident event.
// Any page may carry it: a #board-list (data-url: the list's JSON, default the board's) and optionally #incident-map.
(function () {
  "use strict";
  var mapEl = document.getElementById("incident-map");
  var list = document.getElementById("board-list");
  if (!list) { return; }
  var count = document.getElementById("board-count");
  var colours = { 1: "#e5484d", 2: "#f2b233", 3: "#4da3ff", 4: "#8a94a6" };
  var map = null, layer = null, fitted = false;

  function drawMarkers(markers) {
    if (!map) { return; }
    layer.clearLayers();
    var bounds = [];
    markers.forEach(function (m) {
      var marker = L.circleMarker([m.lat, m.lon], {
        radius: m.priority === 1 ? 11 : 9, color: "#0b0f17", weight: 2,
        fillColor: colours[m.priority] || colours[4], fillOpacity: 0.95
      }).addTo(layer);
      // Leaflet puts a string tooltip in as HTML; titles come from CAD intake and people, so pass a text node.
      marker.bindTooltip(document.createTextNode(m.reference + " P" + m.priority + " " + m.type + ": " + m.title + " (" + m.status_label + ")"));
      marker.on("click", function () { location.href = "/incidents/" + m.id + "/"; });
      bounds.push([m.lat, m.lon]);
    });
    if (!fitted && bounds.length > 1) { map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 }); fitted = true; }
    else if (!fitted && bounds.length === 1) { map.setView(bounds[0], 15); fitted = true; }
  }

  if (mapEl && window.L) {
    var config = JSON.parse(document.getElementById("map-config").textContent);
    map = L.map(mapEl, { zoomControl: true, attributionControl: !!config.tileUrl });
    if (config.tileUrl) { L.tileLayer(config.tileUrl, { maxZoom: 19, attribution: config.attribution || "" }).addTo(map); }
    else { mapEl.classList.add("no-tiles"); }
    map.setView(config.center, config.zoom);
    layer = L.layerGroup().addTo(map);
    drawMarkers(JSON.parse(document.getElementById("incident-markers").textContent));
  }

  var pending = null;
  function refresh() {
    if (pending) { return; }
    pending = setTimeout(function () {
      pending = null;
      fetch(list.getAttribute("data-url") || "/incidents/?partial=1", { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
        .then(function (data) {
          list.innerHTML = data.html;
          if (count) { count.textContent = data.count + " open"; }
          drawMarkers(data.markers);
        })
        .catch(function (e) { console.error("board refresh failed", e); });
    }, 150);
  }

  if (window.rtccLive) {
    window.rtccLive.onEvent(function (event) {
      if (event.kind.indexOf("incident.") === 0 || event.kind.indexOf("dispatch.") === 0) { refresh(); }
    });
  }
  // Catch-up after a reconnect arrives as events too; a slow timer covers anything else (e.g. a status edited in admin).
  setInterval(refresh, 60000);
})();
