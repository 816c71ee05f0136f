// One incident's page: its map pin, and dispatches, acknowledgements, timeline and deliveries refreshed live.
(function () {
  "use strict";
  const mapEl = document.getElementById("incident-map");
  // The operator's layered map (static/maps/layer-map.js made it: cameras with their cones around the incident).
  const map = mapEl && mapEl.rtccLayerMap ? mapEl.rtccLayerMap.map : RTCC.map(mapEl);
  if (map) {
    const m = RTCC.readJSON("incident-marker", null);
    map.setView([m.lat, m.lon], 15);
    RTCC.dot([m.lat, m.lon], RTCC.choice("incidentPriority", m.priority).colour, m.reference + " " + m.title,
      { radius: 11, weight: 2 }).addTo(map);
  }
  const live = document.getElementById("incident-live");
  if (!live) { return; }
  const incidentId = parseInt(live.getAttribute("data-incident"), 10);
  const status = document.getElementById("incident-status");

  const refresh = RTCC.debounce(() => {
    RTCC.fetchJSON(RTCC.url(live, "live"))
      .then((data) => {
        live.innerHTML = data.html;
        if (status) { status.textContent = data.status_label; }
      })
      .catch((e) => console.error("incident refresh failed:", e.message));
  }, 100);

  if (RTCC.live) {
    RTCC.live.onEvent((event) => {
      if ((event.data || {}).incident_id === incidentId) { refresh(); }
    });
  }
  // Webhook and e-mail outcomes change without an event: look again now and then.
  setInterval(refresh, 15000);
})();
