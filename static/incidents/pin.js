// The new-incident form's map: click to place the pin; typed coordinates move it. Type choice sets a default priority.
(function () {
  "use strict";
  var el = document.getElementById("pin-map");
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  var type = document.getElementById("id_incident_type");
  var priority = document.getElementById("id_priority");
  var priorities = JSON.parse((document.getElementById("type-priorities") || {}).textContent || "{}");
  var priorityTouched = false;
  if (priority) { priority.addEventListener("change", function () { priorityTouched = true; }); }
  if (type && priority) {
    type.addEventListener("change", function () {
      if (!priorityTouched && priorities[type.value]) { priority.value = String(priorities[type.value]); }
    });
  }
  if (!el || !window.L || !lat || !lon) { return; }
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var map = L.map(el, { zoomControl: true, attributionControl: !!config.tileUrl });
  if (config.tileUrl) { L.tileLayer(config.tileUrl, { maxZoom: 19, attribution: config.attribution || "" }).addTo(map); }
  else { el.classList.add("no-tiles"); }
  var marker = null;
  function place(latlng, pan) {
    if (!marker) {
      marker = L.marker(latlng, { draggable: true }).addTo(map);
      marker.on("dragend", function () { var p = marker.getLatLng(); write(p); });
    } else { marker.setLatLng(latlng); }
    if (pan) { map.setView(latlng, Math.max(map.getZoom(), 15)); }
  }
  function write(p) { lat.value = p.lat.toFixed(6); lon.value = p.lng.toFixed(6); }
  if (lat.value && lon.value) { place([parseFloat(lat.value), parseFloat(lon.value)], false); map.setView([parseFloat(lat.value), parseFloat(lon.value)], 16); }
  else { map.setView(config.center, config.zoom); }
  map.on("click", function (e) { place(e.latlng, false); write(e.latlng); });
  function typed() {
    var a = parseFloat(lat.value), b = parseFloat(lon.value);
    if (!isNaN(a) && !isNaN(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180) { place([a, b], true); }
  }
  lat.addEventListener("change", typed);
  lon.addEventListener("change", typed);
})();
