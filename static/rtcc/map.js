// The camera map: markers coloured by status, drawn even with no tile server.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var markers = JSON.parse(document.getElementById("camera-markers").textContent);
  var map = L.map(el, { zoomControl: true, attributionControl: !!config.tileUrl });
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { maxZoom: 19, attribution: config.attribution || "" }).addTo(map);
  } else {
    el.classList.add("no-tiles");
  }
  var byId = {};
  var bounds = [];
  markers.forEach(function (m) {
    var marker = L.circleMarker([m.lat, m.lon], {
      radius: m.kind === "plate_reader" ? 7 : 6, color: "#0b0f17", weight: 1.5,
      fillColor: m.colour, fillOpacity: 0.95
    }).addTo(map);
    // Leaflet inserts a string tooltip as HTML: names may come from residents' registrations, so pass text.
    marker.bindTooltip(document.createTextNode(m.name + " – " + m.status), m.permanent ? { permanent: true, direction: "top" } : {});
    marker.on("click", function () { location.href = "/cameras/" + m.id + "/"; });
    byId[m.id] = marker;
    bounds.push([m.lat, m.lon]);
  });
  if (bounds.length > 1) { map.fitBounds(bounds, { padding: [24, 24] }); }
  else { map.setView(config.center, config.zoom); }

  // A hit or an alert at a place: a ring that pulses for a minute, with its label.
  window.rtccMap = {
    map: map,
    pulse: function (lat, lon, label) {
      var ring = L.circleMarker([lat, lon], {
        radius: 14, color: "#e5484d", weight: 3, fillColor: "#e5484d", fillOpacity: 0.25, className: "map-pulse"
      }).addTo(map);
      if (label) { ring.bindTooltip(document.createTextNode(label), { permanent: true, direction: "top" }); }
      setTimeout(function () { map.removeLayer(ring); }, 60000);
      return ring;
    }
  };

  var colours = { online: "#2fbf71", degraded: "#f2b233", offline: "#e5484d", disabled: "#5b6473", unknown: "#8a94a6" };
  if (window.rtccLive) {
    window.rtccLive.onEvent(function (event) {
      var d = event.data || {};
      if (event.kind.indexOf("camera.") === 0 && d.camera_id && byId[d.camera_id] && d.status) {
        byId[d.camera_id].setStyle({ fillColor: colours[d.status] || colours.unknown });
      }
    });
  }
})();
