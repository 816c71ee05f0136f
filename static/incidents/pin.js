// The new-incident form's map: click to place the pin; typed coordinates move it; an address typed in the form (or
// found with the map's search box) moves the pin there. Type choice sets a default priority.
(function () {
  "use strict";
  const lat = document.getElementById("id_latitude");
  const lon = document.getElementById("id_longitude");
  const type = document.getElementById("id_incident_type");
  const priority = document.getElementById("id_priority");
  const priorities = RTCC.readJSON("type-priorities", {});
  let priorityTouched = false;
  if (priority) { priority.addEventListener("change", () => { priorityTouched = true; }); }
  if (type && priority) {
    type.addEventListener("change", () => {
      if (!priorityTouched && priorities[type.value]) { priority.value = String(priorities[type.value]); }
    });
  }
  if (!lat || !lon) { return; }
  const map = RTCC.map(document.getElementById("pin-map"));
  if (!map) { return; }
  let marker = null;
  function write(p) { lat.value = p.lat.toFixed(6); lon.value = p.lng.toFixed(6); }
  function place(latlng, pan) {
    if (!marker) {
      marker = L.marker(latlng, { draggable: true }).addTo(map);
      marker.on("dragend", () => write(marker.getLatLng()));
    } else { marker.setLatLng(latlng); }
    if (pan) { map.setView(latlng, Math.max(map.getZoom(), 15)); }
  }
  if (lat.value && lon.value) {
    const start = [parseFloat(lat.value), parseFloat(lon.value)];
    place(start, false);
    map.setView(start, 16);
  }
  map.on("click", (e) => { place(e.latlng, false); write(e.latlng); });
  function typed() {
    const a = parseFloat(lat.value), b = parseFloat(lon.value);
    if (!isNaN(a) && !isNaN(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180) { place([a, b], true); }
  }
  lat.addEventListener("change", typed);
  lon.addEventListener("change", typed);

  function found(latlng) { place(latlng, true); write(L.latLng(latlng)); }
  map.on("rtcc:found", (e) => found(e.latlng));
  const address = document.getElementById("id_address");
  const searchUrl = map.getContainer().dataset.searchUrl;
  if (address && searchUrl) {
    RTCC.placeSearch(address, searchUrl, (r) => {
      address.value = r.label;
      found([r.lat, r.lon]);
    });
  }
})();
