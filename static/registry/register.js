// The registration form, enhanced: a map pin and "use my location" fill the coordinates,
// and "Add another camera" adds a camera without a round trip. Without JavaScript the form works the same.
(function () {
  "use strict";
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  Array.prototype.forEach.call(document.querySelectorAll("[data-js-only]"), function (el) {
    el.classList.remove("no-js-hidden");
  });

  // --- Map pin ---
  const map = lat && lon ? RTCC.map(document.getElementById("site-map")) : null;
  let marker = null;
  function placePin(la, lo, pan) {
    if (!map) { return; }
    if (marker) { marker.setLatLng([la, lo]); } else { marker = L.marker([la, lo], { keyboard: false }).addTo(map); }
    if (pan) { map.setView([la, lo], Math.max(map.getZoom(), 16)); }
  }
  function setInputs(la, lo) {
    lat.value = la.toFixed(6);
    lon.value = lo.toFixed(6);
    lat.dispatchEvent(new Event("change"));
  }
  if (map) {
    if (lat.value && lon.value) {
      placePin(parseFloat(lat.value), parseFloat(lon.value), false);
      map.setView([parseFloat(lat.value), parseFloat(lon.value)], map.getZoom());
    }
    map.on("click", function (e) {
      setInputs(e.latlng.lat, e.latlng.lng);
      placePin(e.latlng.lat, e.latlng.lng, false);
    });
    [lat, lon].forEach(function (input) {
      input.addEventListener("input", function () {
        var la = parseFloat(lat.value), lo = parseFloat(lon.value);
        if (isFinite(la) && isFinite(lo) && Math.abs(la) <= 90 && Math.abs(lo) <= 180) { placePin(la, lo, true); }
      });
    });
  }

  // --- Use my location ---
  var locate = document.getElementById("use-location");
  var status = document.getElementById("location-status");
  if (locate) {
    if (!navigator.geolocation) { locate.parentNode.classList.add("no-js-hidden"); }
    locate.addEventListener("click", function () {
      status.textContent = "Finding your location…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        setInputs(pos.coords.latitude, pos.coords.longitude);
        placePin(pos.coords.latitude, pos.coords.longitude, true);
        status.textContent = "Location filled in. Check it is where the cameras are.";
      }, function () {
        status.textContent = "Your location is not available. Type the coordinates instead.";
      }, { timeout: 10000 });
    });
  }

  // --- Add another camera ---
  var add = document.getElementById("add-camera");
  var list = document.getElementById("camera-forms");
  var template = document.getElementById("camera-template");
  var total = document.getElementById("id_cameras-TOTAL_FORMS");
  var max = document.getElementById("id_cameras-MAX_NUM_FORMS");
  if (add && list && template && total) {
    add.addEventListener("click", function (event) {
      var count = parseInt(total.value, 10);
      if (max && count >= parseInt(max.value, 10)) { return; }  // let the server say so
      event.preventDefault();
      var html = template.innerHTML.replace(/__prefix__/g, String(count)).replace(/__number__/g, String(count + 1));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var fieldset = holder.firstElementChild;
      list.appendChild(fieldset);
      total.value = String(count + 1);
      var first = fieldset.querySelector("input:not([type=hidden]), select");
      if (first) { first.focus(); }
    });
  }

  // --- Errors: bring the summary into view for keyboard and screen-reader users ---
  var errors = document.getElementById("form-errors");
  if (errors) { errors.focus(); }
})();
