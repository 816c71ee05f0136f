// The camera wall: refresh each tile's picture, and recolour tiles as status events arrive.
(function () {
  "use strict";
  const wall = document.getElementById("wall");
  if (!wall) { return; }
  const tiles = {};
  wall.querySelectorAll("[data-camera]").forEach((tile) => {
    tiles[tile.getAttribute("data-camera")] = tile;
    const img = tile.querySelector("img");
    img.onerror = () => img.classList.add("missing");
    img.onload = () => img.classList.remove("missing");
  });

  function refresh() {
    if (document.hidden) { return; }
    Object.values(tiles).forEach((tile) => {
      if (tile.classList.contains("status-disabled")) { return; }
      const img = tile.querySelector("img");
      img.src = img.getAttribute("data-src") + "?t=" + Date.now();
    });
  }
  setInterval(refresh, 2000);

  if (RTCC.live) {
    RTCC.live.onEvent((event) => {
      const d = event.data || {};
      const tile = d.camera_id && tiles[String(d.camera_id)];
      if (!tile || event.kind.indexOf("camera.") !== 0 || !d.status) { return; }
      tile.className = "tile status-" + d.status;
      const reason = tile.querySelector("[data-role=reason]");
      // An online camera needs no caption; any other state is named, with its reason.
      const label = d.status === "online" ? "" : RTCC.choice("cameraStatus", d.status).label;
      reason.textContent = label ? label + (d.reason ? ": " + d.reason : "") : "";
      const dot = tile.querySelector(".dot");
      if (dot) { dot.style.background = RTCC.colour(RTCC.choice("cameraStatus", d.status).colour); }
    });
  }
})();
