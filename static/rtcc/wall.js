// The camera wall: refresh each tile's picture, and recolour tiles as status events arrive.
(function () {
  "use strict";
  var wall = document.getElementById("wall");
  if (!wall) { return; }
  var tiles = {};
  Array.prototype.forEach.call(wall.querySelectorAll("[data-camera]"), function (tile) {
    tiles[tile.getAttribute("data-camera")] = tile;
    var img = tile.querySelector("img");
    img.onerror = function () { img.classList.add("missing"); };
    img.onload = function () { img.classList.remove("missing"); };
  });
  var labels = { online: "", degraded: "Degraded", offline: "Offline", disabled: "Disabled", unknown: "Not yet read" };

  function refresh() {
    if (document.hidden) { return; }
    Object.keys(tiles).forEach(function (id) {
      var tile = tiles[id];
      if (tile.classList.contains("status-disabled")) { return; }
      var img = tile.querySelector("img");
      img.src = img.getAttribute("data-src") + "?t=" + Date.now();
    });
  }
  setInterval(refresh, 2000);

  if (window.rtccLive) {
    window.rtccLive.onEvent(function (event) {
      var d = event.data || {};
      var tile = d.camera_id && tiles[String(d.camera_id)];
      if (!tile || event.kind.indexOf("camera.") !== 0 || !d.status) { return; }
      tile.className = "tile status-" + d.status;
      var reason = tile.querySelector("[data-role=reason]");
      reason.textContent = labels[d.status] ? labels[d.status] + (d.reason ? ": " + d.reason : "") : "";
    });
  }
})();
