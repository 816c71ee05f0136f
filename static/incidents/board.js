// The analysts' incident board: open incidents on the map and in a list by priority, refreshed on every incident event.
// Any page may carry it: a #board-list (data-url: the board, answering JSON) and optionally #incident-map.
(function () {
  "use strict";
  const list = document.getElementById("board-list");
  if (!list) { return; }
  const count = document.getElementById("board-count");
  // The board's own map, or on the dashboard the camera map (static/rtcc/map.js), which then shows incidents too.
  const ownMap = document.getElementById("incident-map");
  const map = ownMap ? RTCC.map(ownMap) : (RTCC.cameraMap && RTCC.cameraMap.map);
  const mapEl = map ? map.getContainer() : null;
  const layer = map ? L.layerGroup().addTo(map) : null;
  let fitted = !ownMap;  // the dashboard's map is already fitted to its cameras

  // The board's map shows the cameras too, small and grey under the incidents; a click opens the camera.
  if (ownMap && map) {
    RTCC.readJSON("camera-markers", []).forEach((c) => {
      RTCC.dot([c.lat, c.lon], "unknown", c.name, { radius: 5, fillOpacity: 0.8 })
        .on("click", () => { location.href = RTCC.url(mapEl, "camera", c.id); })
        .addTo(map);
    });
  }

  function drawMarkers(markers) {
    if (!map) { return; }
    layer.clearLayers();
    const bounds = [];
    markers.forEach((m) => {
      const priority = RTCC.choice("incidentPriority", m.priority);
      // The title comes from CAD intake and people: RTCC.dot gives it to Leaflet as text, never HTML.
      const label = m.reference + " P" + m.priority + " " + m.type + ": " + m.title + " (" + m.status_label + ")";
      RTCC.dot([m.lat, m.lon], priority.colour, label, { radius: m.priority === 1 ? 11 : 9, weight: 2 })
        .on("click", () => { location.href = RTCC.url(mapEl, "incident", m.id); })
        .addTo(layer);
      bounds.push([m.lat, m.lon]);
    });
    if (!fitted && bounds.length > 1) { map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 }); fitted = true; }
    else if (!fitted && bounds.length === 1) { map.setView(bounds[0], 15); fitted = true; }
  }
  drawMarkers(RTCC.readJSON("incident-markers", []));

  const refresh = RTCC.debounce(() => {
    RTCC.fetchJSON(list.getAttribute("data-url"))
      .then((data) => {
        list.innerHTML = data.html;
        if (count) { count.textContent = data.count + " open"; }
        drawMarkers(data.markers);
      })
      .catch((e) => console.error("board refresh failed:", e.message));
  }, 150);

  if (RTCC.live) {
    RTCC.live.onEvent((event) => {
      if (event.kind.indexOf("incident.") === 0 || event.kind.indexOf("dispatch.") === 0) { refresh(); }
    });
  }
  // Catch-up after a reconnect arrives as events too; a slow timer covers anything else (e.g. a status edited in admin).
  setInterval(refresh, 60000);
})();
