// Registered cameras on a map (#registry-map): a dot per camera, a wedge for where it points, and the search point.
(function () {
  "use strict";
  const el = document.getElementById("registry-map");
  const map = RTCC.map(el);
  if (!map) { return; }
  const markers = RTCC.readJSON("registry-markers", []);
  const point = RTCC.readJSON("search-point", null);

  const bounds = [];
  markers.forEach((m) => {
    const colour = RTCC.colour(RTCC.choice("registryCamera", m.live ? "live" : "registered").colour);
    if (m.bearing !== null && m.fov !== null && m.fov < 360) {
      L.polygon(RTCC.wedge(m.lat, m.lon, m.bearing, m.fov, 40), {
        color: colour, weight: 1, fillColor: colour, fillOpacity: 0.18, interactive: false
      }).addTo(map);
    }
    // Owners' words: RTCC.dot hands them to Leaflet as text.
    RTCC.dot([m.lat, m.lon], colour, m.placement + " – " + m.address + " (keeps " + m.retention + " d)", { radius: 7 })
      .on("click", () => { location.href = RTCC.url(el, "site", m.site); })
      .addTo(map);
    bounds.push([m.lat, m.lon]);
  });
  if (point) {
    L.circleMarker(point, { radius: 9, color: RTCC.colour("bad"), weight: 3, fillOpacity: 0 }).addTo(map).bindTooltip("Search point");
    bounds.push(point);
  }
  if (bounds.length > 1) { map.fitBounds(bounds, { padding: [30, 30], maxZoom: 18 }); }
  else if (bounds.length === 1) { map.setView(bounds[0], 17); }
})();
