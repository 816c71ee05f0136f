// One incident's page: its map pin, and dispatches, acknowledgements, timeline and deliveries refreshed live.
(function () {
  "use strict";
  var live = document.getElementById("incident-live");
  var mapEl = document.getElementById("incident-map");
  if (mapEl && window.L) {
    var config = JSON.parse(document.getElementById("map-config").textContent);
    var m = JSON.parse(document.getElementById("incident-marker").textContent);
    var map = L.map(mapEl, { zoomControl: true, attributionControl: !!config.tileUrl });
    if (config.tileUrl) { L.tileLayer(config.tileUrl, { maxZoom: 19, attribution: config.attribution || "" }).addTo(map); }
    else { mapEl.classList.add("no-tiles"); }
    map.setView([m.lat, m.lon], 16);
    L.circleMarker([m.lat, m.lon], { radius: 11, color: "#0b0f17", weight: 2, fillColor: "#e5484d", fillOpacity: 0.95 })
      .addTo(map).bindTooltip(document.createTextNode(m.reference + " " + m.title));  // text, never HTML
  }
  if (!live) { return; }
  var incidentId = parseInt(live.getAttribute("data-incident"), 10);
  var url = live.getAttribute("data-live-url");
  var status = document.getElementById("incident-status");
  var pending = null;

  function refresh() {
    if (pending) { return; }
    pending = setTimeout(function () {
      pending = null;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
        .then(function (data) {
          live.innerHTML = data.html;
          if (status) { status.textContent = data.status_label; }
        })
        .catch(function (e) { console.error("incident refresh failed", e); });
    }, 100);
  }

  if (window.rtccLive) {
    window.rtccLive.onEvent(function (event) {
      var d = event.data || {};
      if (d.incident_id === incidentId) { refresh(); }
    });
  }
  // Webhook and e-mail outcomes change without an event: look again now and then.
  setInterval(refresh, 15000);
})();
