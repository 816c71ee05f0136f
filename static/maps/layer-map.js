// The operator's map: one map with layers, on the dashboard (#map) and the incident board (#incident-map).
// Any element with data-layers-url becomes one. Its layers and their contents come from the page (a json_script
// block named by data-layers-data) and later from the layers endpoint, which answers only what the person's role
// may see. Layers: cameras (a view cone from the camera's bearing and field of view, coloured by status), plate
// readers (a square "LPR" marker), open incidents, recent hits (a red ring at the camera) and registered cameras.
// A person's choice of layers is saved on the server (POST to the same URL), so it follows them to any workstation.
// Clicking a camera opens its live picture (the snapshot the camera page shows, refreshed every second).
// Live: camera status events recolour markers and cones; hit and incident events reload those layers.
// RTCC.cameraMap (map, pulse) is kept for static/rtcc/hits.js, which rings a new hit for a minute.
(function () {
  "use strict";
  // On a wall display seen from across the room, markers are drawn larger.
  const SCALE = window.matchMedia("(min-width: 2400px)").matches ? 1.7 : 1;
  const CONE_PX = 36 * SCALE;  // a view cone is this many pixels long on screen...
  const CONE_MIN_M = 40;       // ...but never shorter than this many metres
  const SNAPSHOT_EVERY_MS = 1000;
  const ORDER = ["registered", "cameras", "plate_readers", "incidents", "hits"];

  function make(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text != null) { node.textContent = text; }
    return node;
  }

  function metresPerPixel(map, lat) {
    return 40075016.686 * Math.cos(lat * Math.PI / 180) / Math.pow(2, map.getZoom() + 8);
  }

  RTCC.layerMap = function (el) {
    const map = RTCC.map(el);
    if (!map) { return null; }
    const config = RTCC.readJSON(el.dataset.layersData || "map-layers", null);
    if (!config) { return null; }
    const url = el.dataset.layersUrl;
    const layers = {};      // name -> {label, on, group, count element, checkbox}
    const cameras = {};     // camera id -> {data, marker, cone}
    let contents = config.data || {};

    // Cones lie under every marker and take no clicks: a pane of their own below the markers' one.
    map.createPane("cones");
    map.getPane("cones").style.zIndex = 390;
    const coneRenderer = L.svg({ pane: "cones" });

    config.layers.forEach((l) => {
      layers[l.name] = { label: l.label, on: l.on, group: L.layerGroup() };
    });

    // --- Cameras and plate readers --------------------------------------------------------------------------
    function statusOf(c) { return RTCC.choice("cameraStatus", c.status); }
    function colourOf(c) { return RTCC.colour(statusOf(c).colour); }
    function label(c) { return c.name + " – " + statusOf(c).label; }

    // Zoomed out over the whole city, shorter fans: direction at a glance without covering the neighbours.
    function coneLength(c) {
      const px = map.getZoom() >= 14 ? CONE_PX : CONE_PX * 0.6;
      return Math.max(CONE_MIN_M, px * metresPerPixel(map, c.lat));
    }
    function drawCone(c, group) {
      if (c.bearing === null || c.bearing === undefined || !c.fov || c.fov >= 360) { return null; }
      const colour = colourOf(c);
      const cone = L.polygon(RTCC.wedge(c.lat, c.lon, c.bearing, c.fov, coneLength(c)), {
        pane: "cones", renderer: coneRenderer, interactive: false, className: "map-cone",
        color: colour, weight: 1, opacity: 0.8, fillColor: colour, fillOpacity: 0.3
      });
      cone.on("add", () => {
        const path = cone.getElement();
        path.setAttribute("data-camera", c.id);
        path.setAttribute("data-status", c.status);
      });
      cone.addTo(group);
      return cone;
    }

    function paintCamera(entry) {
      const c = entry.data;
      const colour = colourOf(c);
      if (entry.cone) {
        entry.cone.setStyle({ color: colour, fillColor: colour });
        const path = entry.cone.getElement();
        if (path) { path.setAttribute("data-status", c.status); }
      }
      if (entry.marker instanceof L.CircleMarker) {
        entry.marker.setStyle({ fillColor: colour });
        const path = entry.marker.getElement();
        if (path) { path.setAttribute("data-status", c.status); }
      } else {
        const icon = entry.marker.getElement();
        if (icon) { icon.style.background = colour; icon.setAttribute("data-status", c.status); }
      }
      const tip = entry.marker.getTooltip();
      if (tip) { tip.setContent(document.createTextNode(label(c))); }
      if (entry.popup) { entry.popup.status(c); }
    }

    function drawCamera(c, group, lpr) {
      const cone = drawCone(c, group);
      let marker;
      if (lpr) {
        marker = L.marker([c.lat, c.lon], {
          icon: L.divIcon({
            className: "map-lpr", html: "", iconSize: [26 * SCALE, 18 * SCALE], tooltipAnchor: [13 * SCALE, 0]
          }),
          keyboard: true, title: c.name, alt: c.name
        });
        marker.bindTooltip(document.createTextNode(label(c)));
      } else {
        marker = RTCC.dot([c.lat, c.lon], colourOf(c), label(c), { radius: 7 * SCALE, className: "map-camera" });
      }
      const entry = { data: c, marker: marker, cone: cone, popup: null };
      marker.on("add", () => {
        const node = marker.getElement();
        node.setAttribute("data-camera", c.id);
        if (lpr) { node.textContent = "LPR"; }
        paintCamera(entry);
      });
      marker.on("click", () => openCamera(entry, marker));
      marker.addTo(group);
      cameras[c.id] = entry;
    }

    // --- The live picture of a clicked camera ---------------------------------------------------------------
    function livePicture(c) {
      const box = make("div", "map-camera-popup");
      box.setAttribute("data-camera", c.id);
      const head = make("div", "map-popup-head");
      const name = make("strong", "", c.name);
      const status = make("span", "map-popup-status");
      head.append(name, status);
      // The picture's frame has its size from the start, so the popup opens (and pans into view) at full size.
      const frame = make("div", "map-live-frame");
      const img = make("img", "map-live");
      img.alt = "Live picture from " + c.name;
      img.hidden = true;
      frame.append(img);
      const note = make("p", "map-live-note small muted", "Loading the live picture…");
      const link = make("a", "button", "Open the camera page");
      link.href = RTCC.url(el, "camera", c.id);
      box.append(head, frame, note, link);
      let timer = null;
      let objectUrl = null;
      let busy = false;
      let misses = 0;
      let ticks = 0;
      async function refresh() {
        ticks += 1;
        // A camera with no recent picture is asked again every few seconds, not every second.
        if (busy || document.hidden || (misses > 2 && ticks % 5)) { return; }
        busy = true;
        try {
          const response = await fetch(RTCC.url(el, "snapshot", c.id), { cache: "no-store", credentials: "same-origin" });
          if (!response.ok) {
            misses += 1;
            if (!objectUrl) { note.textContent = "No recent picture from this camera."; }
            box.setAttribute("data-picture", objectUrl ? "stale" : "none");
            return;
          }
          misses = 0;
          const next = URL.createObjectURL(await response.blob());
          img.src = next;
          img.hidden = false;
          if (objectUrl) { URL.revokeObjectURL(objectUrl); }
          objectUrl = next;
          const taken = response.headers.get("X-Snapshot-Taken-At");
          note.textContent = taken ? "Live · picture of " + RTCC.formatTime(taken) : "Live";
          box.setAttribute("data-picture", "live");
        } catch (e) {
          note.textContent = "Could not reach the server for the picture.";
        } finally {
          busy = false;
        }
      }
      return {
        element: box,
        status: function (data) {
          status.textContent = statusOf(data).label;
          status.setAttribute("data-status", data.status);
          status.style.color = colourOf(data);
        },
        start: function () { refresh(); timer = setInterval(refresh, SNAPSHOT_EVERY_MS); },
        stop: function () {
          clearInterval(timer);
          timer = null;
          if (objectUrl) { URL.revokeObjectURL(objectUrl); objectUrl = null; }
          img.removeAttribute("src");
          img.hidden = true;
        }
      };
    }

    function openCamera(entry, anchor) {
      const picture = livePicture(entry.data);
      picture.status(entry.data);
      entry.popup = picture;
      const popup = L.popup({
        minWidth: 320 * SCALE, maxWidth: 420 * SCALE, className: "map-live-popup", autoPanPadding: [40, 40]
      })
        .setLatLng(anchor.getLatLng())
        .setContent(picture.element);
      popup.on("remove", () => { picture.stop(); if (entry.popup === picture) { entry.popup = null; } });
      popup.openOn(map);
      picture.start();
    }

    // --- Incidents, hits, registered cameras ----------------------------------------------------------------
    function drawIncident(m, group) {
      const priority = RTCC.choice("incidentPriority", m.priority);
      // Titles come from CAD intake and people: RTCC.dot gives them to Leaflet as text, never HTML.
      const text = m.reference + " P" + m.priority + " " + m.type + ": " + m.title + " (" + m.status_label + ")";
      const dot = RTCC.dot([m.lat, m.lon], priority.colour, text, {
        radius: (m.priority === 1 ? 11 : 9) * SCALE, weight: 2 * SCALE, className: "map-incident"
      });
      dot.on("add", () => dot.getElement().setAttribute("data-incident", m.id));
      dot.on("click", () => { location.href = RTCC.url(el, "incident", m.id); });
      dot.addTo(group);
    }

    function drawHits(hits, group) {
      // One ring per camera: its newest hit named, the others counted (the alert queue has them all).
      const byCamera = {};
      hits.forEach((h) => { (byCamera[h.camera_id] = byCamera[h.camera_id] || []).push(h); });
      Object.keys(byCamera).forEach((id) => {
        const list = byCamera[id];
        const h = list[0];
        const more = list.length > 1 ? " (+" + (list.length - 1) + " more)" : "";
        const text = h.plate + " – " + h.hotlist + " at " + h.camera + ", " + RTCC.formatTime(h.read_at) + more;
        const colour = RTCC.colour("bad");
        const ring = L.circleMarker([h.lat, h.lon], {
          radius: 14 * SCALE, color: colour, weight: 3 * SCALE, fillColor: colour, fillOpacity: 0.15, className: "map-hit"
        });
        ring.bindTooltip(document.createTextNode(text), { offset: [18 * SCALE, 0] });
        ring.on("add", () => ring.getElement().setAttribute("data-hits", list.length));
        ring.on("click", () => { const cam = cameras[h.camera_id]; if (cam) { openCamera(cam, ring); } });
        ring.addTo(group);
      });
    }

    function drawRegistered(m, group) {
      const colour = RTCC.colour(RTCC.choice("registryCamera", m.live ? "live" : "registered").colour);
      if (m.bearing !== null && m.fov !== null && m.fov < 360) {
        L.polygon(RTCC.wedge(m.lat, m.lon, m.bearing, m.fov, 40), {
          pane: "cones", renderer: coneRenderer, interactive: false, className: "map-registered-cone",
          color: colour, weight: 1, fillColor: colour, fillOpacity: 0.18
        }).addTo(group);
      }
      // Owners' words: RTCC.dot hands them to Leaflet as text.
      const dot = RTCC.dot([m.lat, m.lon], colour, null, {
        radius: 6 * SCALE, weight: 2, color: "#f4f6fa", className: "map-registered"
      });
      dot.bindTooltip(document.createTextNode("Registered: " + m.placement + " – " + m.address +
        " (keeps " + m.retention + " d)"), { hoverOnly: true });
      if (m.camera && cameras[m.camera]) {
        dot.on("click", () => openCamera(cameras[m.camera], dot));
      } else if (el.dataset.siteUrl) {
        dot.on("click", () => { location.href = RTCC.url(el, "site", m.site); });
      }
      dot.addTo(group);
    }

    function draw(name) {
      const layer = layers[name];
      if (!layer || !(name in contents)) { return; }
      const items = contents[name] || [];
      layer.group.clearLayers();
      if (name === "cameras" || name === "plate_readers") {
        items.forEach((c) => drawCamera(c, layer.group, name === "plate_readers"));
      } else if (name === "incidents") {
        // Highest priority drawn last: on top, and its label kept where labels would overlap.
        items.slice().reverse().forEach((m) => drawIncident(m, layer.group));
      } else if (name === "hits") {
        drawHits(items, layer.group);
      } else if (name === "registered") {
        items.forEach((m) => drawRegistered(m, layer.group));
      }
      if (layer.count) { layer.count.textContent = items.length; }
    }

    function show(name, on) {
      const layer = layers[name];
      layer.on = on;
      if (on) { layer.group.addTo(map); } else { map.removeLayer(layer.group); }
      el.setAttribute("data-layers-on", ORDER.filter((n) => layers[n] && layers[n].on).join(" "));
    }

    // --- The layer control: one checkbox per layer, with its count --------------------------------------------
    const control = L.control({ position: "topright" });
    let errorLine = null;
    control.onAdd = function () {
      const box = L.DomUtil.create("details", "map-layers leaflet-bar");
      box.open = el.clientWidth >= 560;  // on a phone the list starts folded under "Layers"
      const summary = L.DomUtil.create("summary", "", box);
      summary.textContent = "Layers";
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      const list = L.DomUtil.create("ul", "", box);
      ORDER.filter((n) => layers[n]).forEach((name) => {
        const layer = layers[name];
        const li = L.DomUtil.create("li", "", list);
        const labelEl = L.DomUtil.create("label", "", li);
        const box2 = L.DomUtil.create("input", "", labelEl);
        box2.type = "checkbox";
        box2.name = "layer";
        box2.value = name;
        box2.checked = layer.on;
        const swatch = L.DomUtil.create("span", "map-swatch map-swatch-" + name, labelEl);
        swatch.setAttribute("aria-hidden", "true");
        labelEl.append(document.createTextNode(layer.label + " "));
        layer.count = L.DomUtil.create("span", "map-layer-count", labelEl);
        layer.checkbox = box2;
        box2.addEventListener("change", () => toggle(name, box2.checked));
      });
      errorLine = L.DomUtil.create("p", "map-layers-error small", box);
      errorLine.hidden = true;
      errorLine.setAttribute("role", "alert");
      return box;
    };
    control.addTo(map);

    async function toggle(name, on) {
      show(name, on);
      errorLine.hidden = true;
      try {
        await RTCC.fetchJSON(url, { method: "POST", body: { layer: name, on: on ? "true" : "false" } });
        el.setAttribute("data-layers-saved", name + ":" + (on ? "on" : "off"));
      } catch (e) {
        errorLine.textContent = "Layer choice not saved: " + e.message;
        errorLine.hidden = false;
      }
    }

    ORDER.filter((n) => layers[n]).forEach((name) => { draw(name); show(name, layers[name].on); });

    // Keep cones a sensible size on screen as the map zooms.
    map.on("zoomend", () => {
      Object.keys(cameras).forEach((id) => {
        const entry = cameras[id];
        if (entry.cone) {
          const c = entry.data;
          entry.cone.setLatLngs(RTCC.wedge(c.lat, c.lon, c.bearing, c.fov, coneLength(c)));
        }
      });
    });

    // Start on what the page is about: its cameras (dashboard) or its incidents (board); "none": the page
    // centres the map itself (an incident's page, on the incident).
    const fitTo = [];
    (el.dataset.fit || "cameras,plate_readers").split(",").filter((name) => name !== "none").forEach((name) => {
      (contents[name] || []).forEach((p) => fitTo.push([p.lat, p.lon]));
    });
    // maxZoom: points at one spot make a bounds of no size, whose zoom would be infinite without tiles.
    // The layer list covers the map's top right: nothing fitted starts under it.
    const listWidth = control.getContainer().offsetWidth;
    const right = listWidth < el.clientWidth / 3 ? listWidth + 20 : 30;
    if (fitTo.length > 1) {
      map.fitBounds(fitTo, { paddingTopLeft: [30, 30], paddingBottomRight: [right, 30], maxZoom: 16 });
    }
    else if (fitTo.length === 1) { map.setView(fitTo[0], 15); }

    // --- Live updates -------------------------------------------------------------------------------------
    let pending = new Set();
    const reload = RTCC.debounce(() => {
      const names = Array.from(pending);
      pending = new Set();
      RTCC.fetchJSON(url + "?only=" + names.join(","))
        .then((answer) => {
          contents = Object.assign({}, contents, answer.data);
          ORDER.filter((n) => n in answer.data).forEach(draw);
        })
        .catch((e) => console.error("map layers refresh failed:", e.message));
    }, 150);
    function want(names) {
      names.filter((n) => layers[n]).forEach((n) => pending.add(n));
      if (pending.size) { reload(); }
    }
    if (RTCC.live) {
      RTCC.live.onEvent((event) => {
        const d = event.data || {};
        const kind = event.kind || "";
        if (kind.indexOf("camera.") === 0 && d.camera_id && d.status) {
          const entry = cameras[d.camera_id];
          if (entry) { entry.data.status = d.status; paintCamera(entry); }
          else { want(["cameras", "plate_readers"]); }
        } else if (kind.indexOf("hit.") === 0) {
          want(["hits"]);
        } else if (kind.indexOf("incident.") === 0 || kind.indexOf("dispatch.") === 0) {
          want(["incidents"]);
        }
      });
    }
    // Hits age out of the window, registrations get approved, cameras get added: a slow full refresh.
    setInterval(() => want(ORDER), 60000);

    const api = {
      map: map,
      pulse: function (lat, lon, text) {
        const alert = RTCC.colour("bad");
        const ring = L.circleMarker([lat, lon], {
          radius: 18 * SCALE, color: alert, weight: 3 * SCALE, fillColor: alert, fillOpacity: 0.25, className: "map-pulse", interactive: false
        }).addTo(map);
        if (text) { ring.bindTooltip(document.createTextNode(text), { permanent: true, direction: "top" }); }
        setTimeout(() => map.removeLayer(ring), 60000);
        return ring;
      },
      shown: function () { return ORDER.filter((n) => layers[n] && layers[n].on); }
    };
    el.rtccLayerMap = api;
    return api;
  };

  document.querySelectorAll("[data-layers-url]").forEach((el) => {
    const made = RTCC.layerMap(el);
    if (made && !RTCC.cameraMap) { RTCC.cameraMap = made; }
  });
})();
