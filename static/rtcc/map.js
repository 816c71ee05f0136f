// The camera map (#map): markers coloured by status, recoloured live; RTCC.cameraMap.pulse() rings a place for a minute.
(function () {
  "use strict";
  const el = document.getElementById("map");
  const map = RTCC.map(el);
  if (!map) { return; }
  const markers = RTCC.readJSON("camera-markers", []);
  const byId = {};
  const bounds = [];
  markers.forEach((m) => {
    const status = RTCC.choice("cameraStatus", m.status);
    const marker = RTCC.dot([m.lat, m.lon], m.colour || status.colour, null, { radius: m.kind === "plate_reader" ? 7 : 6 }).addTo(map);
    marker.bindTooltip(document.createTextNode(m.name + " – " + status.label), m.permanent ? { permanent: true, direction: "top" } : {});
    marker.on("click", () => { location.href = RTCC.url(el, "camera", m.id); });
    byId[m.id] = marker;
    bounds.push([m.lat, m.lon]);
  });
  // maxZoom: cameras at one spot make a bounds of no size, whose zoom would be infinite without tiles.
  if (bounds.length > 1) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 }); }

  // A hit or an alert at a place: a ring that pulses for a minute, with its label.
  RTCC.cameraMap = {
    map: map,
    pulse: function (lat, lon, label) {
      const alert = RTCC.colour("bad");
      const ring = L.circleMarker([lat, lon], {
        radius: 14, color: alert, weight: 3, fillColor: alert, fillOpacity: 0.25, className: "map-pulse"
      }).addTo(map);
      if (label) { ring.bindTooltip(document.createTextNode(label), { permanent: true, direction: "top" }); }
      setTimeout(() => map.removeLayer(ring), 60000);
      return ring;
    }
  };

  if (RTCC.live) {
    RTCC.live.onEvent((event) => {
      const d = event.data || {};
      if (event.kind.indexOf("camera.") === 0 && d.camera_id && byId[d.camera_id] && d.status) {
        byId[d.camera_id].setStyle({ fillColor: RTCC.colour(RTCC.choice("cameraStatus", d.status).colour) });
      }
    });
  }
})();
