// Camera walls (the wall page, an incident's nearby cameras, one camera's page): each tile's picture refreshed
// with the time it was taken (to the second, in the center's zone), layouts with pages, one camera large on
// click, a tour through the cameras, and status changes as they arrive. The layout is remembered per wall.
(function () {
  "use strict";
  const wall = document.querySelector("[data-wall]");
  if (!wall) { return; }
  const tiles = Array.from(wall.querySelectorAll("[data-camera]"));
  const byId = {};
  tiles.forEach((tile) => { byId[tile.getAttribute("data-camera")] = tile; });
  const controls = document.querySelector("[data-wall-controls]");
  const refreshMs = Number(wall.getAttribute("data-refresh-ms")) || 2000;
  const tourMs = () => Number(wall.getAttribute("data-tour-ms")) || 8000;
  const LAYOUTS = ["1", "2", "3", "4", "auto"];
  const storageKey = "rtcc.wall.layout." + (wall.getAttribute("data-wall-name") || "wall");
  const zone = wall.getAttribute("data-time-zone") || undefined;
  let clock;
  try {
    clock = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, timeZone: zone });
  } catch (e) {
    clock = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  }

  function remembered() {
    try { return window.localStorage.getItem(storageKey); } catch (e) { return null; }
  }
  function remember(layout) {
    try { window.localStorage.setItem(storageKey, layout); } catch (e) { /* private mode: not remembered */ }
  }

  const state = { layout: wall.getAttribute("data-layout") || "auto", page: 0, large: null, tour: null };
  if (controls && LAYOUTS.indexOf(remembered()) >= 0) { state.layout = remembered(); }

  function perPage() {
    return state.layout === "auto" || state.layout === "1" ? tiles.length : Number(state.layout) * Number(state.layout);
  }

  function render() {
    const per = Math.max(1, perPage());
    const pages = Math.max(1, Math.ceil(tiles.length / per));
    state.page = Math.min(state.page, pages - 1);
    wall.setAttribute("data-layout", state.layout);
    wall.classList.toggle("has-large", Boolean(state.large));
    tiles.forEach((tile, i) => {
      tile.classList.toggle("is-large", tile === state.large);
      tile.hidden = state.large ? tile !== state.large : Math.floor(i / per) !== state.page;
    });
    if (!controls) { return; }
    controls.querySelectorAll("[data-layout]").forEach((button) => {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-layout") === state.layout));
    });
    const pager = controls.querySelector("[data-role=pages]");
    pager.hidden = Boolean(state.large) || pages < 2;
    controls.querySelector("[data-role=page-label]").textContent = "Page " + (state.page + 1) + " of " + pages;
    controls.querySelector("[data-action=back]").hidden = !state.large;
    controls.querySelector("[data-action=tour]").setAttribute("aria-pressed", String(Boolean(state.tour)));
    refreshVisible();
  }

  function enlarge(tile) {
    state.large = tile;
    render();
  }

  function back() {
    stopTour();
    state.large = null;
    render();
  }

  function startTour() {
    let next = state.large ? tiles.indexOf(state.large) : -1;
    const step = () => { next = (next + 1) % tiles.length; enlarge(tiles[next]); };
    step();
    state.tour = setInterval(step, tourMs());
    render();
  }

  function stopTour() {
    if (state.tour) { clearInterval(state.tour); state.tour = null; }
  }

  // --- Pictures -------------------------------------------------------------------------------------------
  function setSeen(tile, taken) {
    const seen = tile.querySelector("[data-role=seen]");
    if (!seen || isNaN(taken.getTime())) { return; }
    seen.dateTime = taken.toISOString();
    seen.textContent = "updated " + clock.format(taken);
    // A picture much older than the refresh says so: the camera may be live but nothing new is arriving.
    seen.classList.toggle("stale", Date.now() - taken.getTime() > Math.max(10000, refreshMs * 5));
  }

  async function refreshTile(tile) {
    if (tile.getAttribute("data-loading") || tile.getAttribute("data-status") === "disabled") { return; }
    tile.setAttribute("data-loading", "1");
    const img = tile.querySelector("img");
    try {
      const response = await fetch(RTCC.url(tile, "snapshot"), { cache: "no-store", credentials: "same-origin" });
      if (!response.ok) {
        img.classList.add("missing");
        return;
      }
      const blob = await response.blob();
      const previous = img.getAttribute("data-object-url");
      const url = URL.createObjectURL(blob);
      img.setAttribute("data-object-url", url);
      img.src = url;
      img.classList.remove("missing");
      if (previous) { URL.revokeObjectURL(previous); }
      const taken = response.headers.get("X-Snapshot-Taken-At");
      if (taken) { setSeen(tile, new Date(taken)); }
    } catch (e) {
      // A failed refresh keeps the last picture; its time shows how old it is.
    } finally {
      tile.removeAttribute("data-loading");
    }
  }

  function refreshVisible() {
    if (document.hidden) { return; }
    tiles.forEach((tile) => { if (!tile.hidden) { refreshTile(tile); } });
  }

  tiles.forEach((tile) => {
    const img = tile.querySelector("img");
    img.addEventListener("error", () => img.classList.add("missing"));
    const seen = tile.querySelector("[data-role=seen]");
    if (seen && seen.dateTime) { setSeen(tile, new Date(seen.dateTime)); }
    const picture = tile.querySelector("[data-action=enlarge]");
    if (picture && controls) {
      picture.addEventListener("click", () => {
        stopTour();
        if (state.large === tile) { back(); } else { enlarge(tile); }
      });
    } else if (picture) {
      picture.disabled = true;  // a wall of one camera has nothing to enlarge from
    }
  });
  setInterval(refreshVisible, refreshMs);
  document.addEventListener("visibilitychange", refreshVisible);

  if (controls) {
    controls.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (!button) { return; }
      const layout = button.getAttribute("data-layout");
      const action = button.getAttribute("data-action");
      if (layout) {
        state.layout = layout;
        state.page = 0;
        remember(layout);
        back();
      } else if (action === "prev" || action === "next") {
        const pages = Math.max(1, Math.ceil(tiles.length / Math.max(1, perPage())));
        state.page = (state.page + (action === "next" ? 1 : pages - 1)) % pages;
        render();
      } else if (action === "tour") {
        if (state.tour) { back(); } else { startTour(); }
      } else if (action === "back") {
        back();
      }
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && state.large) { back(); }
    });
  }
  render();

  // --- Status as it changes ----------------------------------------------------------------------------------
  if (RTCC.live) {
    RTCC.live.onEvent((event) => {
      const d = event.data || {};
      const tile = d.camera_id && byId[String(d.camera_id)];
      if (!tile || event.kind.indexOf("camera.") !== 0 || !d.status) { return; }
      tile.setAttribute("data-status", d.status);
      const dot = tile.querySelector("[data-role=dot]");
      if (dot) { dot.className = "dot status-dot status-dot-" + d.status; }
      // An online camera needs no caption; any other state is named, with its reason.
      const label = d.status === "online" ? "" : RTCC.choice("cameraStatus", d.status).label;
      tile.querySelector("[data-role=reason]").textContent = label ? label + (d.reason ? ": " + d.reason : "") : "";
    });
  }
})();
