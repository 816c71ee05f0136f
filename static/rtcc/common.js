// The front end's shared module: everything page scripts share lives on one namespace, window.RTCC.
// - RTCC.map(el): a Leaflet map set up from the element's data- attributes (centre, zoom, basemap, outline, search).
// - RTCC.placeSearch(input, url, choose): address, intersection and camera suggestions under a text box.
// - RTCC.dot, RTCC.wedge: a round marker, and a camera's view cone; RTCC.layerMap (static/maps/layer-map.js).
// - RTCC.csrfToken(), RTCC.fetchJSON(url, options): requests with the session and CSRF token, errors as plain words.
// - RTCC.sound: the alert tone (Web Audio: nothing to download; browsers only play it after a click).
// - RTCC.url(el, name, id): URLs come from the page's data- attributes, never written into a script.
// - RTCC.choices: status colours and labels, rendered from the Python choices in base.html.
// - RTCC.applyDataStyles(root): sizes and colours from data- attributes (the CSP allows no style= attribute).
// - RTCC.live: the page's one websocket, reconnecting by itself and catching up on every event it missed.
(function () {
  "use strict";
  const RTCC = {};

  function readJSON(id, fallback) {
    const el = document.getElementById(id);
    if (!el) { return fallback; }
    try { return JSON.parse(el.textContent); } catch (e) { return fallback; }
  }
  RTCC.readJSON = readJSON;

  // --- Choices: {cameraStatus: {online: {label, colour}}, incidentPriority: {1: {label, colour}}, ...} ---------
  RTCC.choices = readJSON("rtcc-choices", {});
  // A CSS palette name ("ok", "bad") or a colour: the colour to paint a map marker with.
  RTCC.colour = function (tone) {
    if (!tone || tone.charAt(0) === "#") { return tone || ""; }
    return getComputedStyle(document.documentElement).getPropertyValue("--" + tone).trim() || tone;
  };
  RTCC.choice = function (group, value) {
    const found = (RTCC.choices[group] || {})[String(value)];
    return found || { label: String(value), colour: RTCC.colour("unknown") };
  };

  // --- Times: every time on a screen is in the center's zone (settings.TIME_ZONE), labelled, like |stamp --------
  // formatTime("2026-12-01T11:39:35Z") -> "12-01 05:39:35 CST"; withDate false -> "05:39:35 CST".
  const zoneFormat = (function () {
    try {
      return new Intl.DateTimeFormat("en-US", {
        timeZone: RTCC.choices.timeZone || undefined, month: "2-digit", day: "2-digit", hour: "2-digit",
        minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZoneName: "short"
      });
    } catch (e) {
      return new Intl.DateTimeFormat("en-US", { month: "2-digit", day: "2-digit", hour: "2-digit",
        minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZoneName: "short" });
    }
  })();
  RTCC.formatTime = function (value, withDate) {
    const when = value instanceof Date ? value : new Date(value);
    if (isNaN(when.getTime())) { return ""; }
    const p = {};
    zoneFormat.formatToParts(when).forEach((part) => { p[part.type] = part.value; });
    const time = p.hour + ":" + p.minute + ":" + p.second + " " + p.timeZoneName;
    return withDate === false ? time : p.month + "-" + p.day + " " + time;
  };
  // Plain words for an event kind ("hit.created" -> "Plate hit"), from rtcc/realtime.py's EVENT_LABELS.
  RTCC.eventLabel = function (kind) {
    const known = (RTCC.choices.eventLabels || {})[kind];
    if (known) { return known; }
    const words = String(kind || "").replace(/[._]/g, " ");
    return words.charAt(0).toUpperCase() + words.slice(1);
  };

  // --- URLs: `data-<name>-url` on an element; a "/0/" in it stands for the object's id. ---------------------
  RTCC.url = function (el, name, id) {
    const key = name.replace(/-([a-z])/g, (m, c) => c.toUpperCase()) + "Url";
    const template = el && el.dataset[key];
    if (!template) { throw new Error("The page gives no data-" + name + "-url."); }
    return id === undefined ? template : template.replace(/\/0\/(?!.*\/0\/)/, "/" + encodeURIComponent(id) + "/");
  };

  // --- CSRF and JSON fetch ---------------------------------------------------------------------------------
  RTCC.csrfToken = function () {
    const meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  };

  // GET or POST and read the JSON answer. `body` may be FormData, URLSearchParams or a plain object (sent as a form).
  // Rejects with an Error whose message can be shown as it is: the server's own `error`, or what went wrong.
  RTCC.fetchJSON = async function (url, options) {
    const opts = options || {};
    const method = (opts.method || (opts.body ? "POST" : "GET")).toUpperCase();
    let payload = opts.body;
    if (payload && !(payload instanceof FormData) && !(payload instanceof URLSearchParams)) {
      payload = new URLSearchParams(payload);
    }
    const headers = { "Accept": "application/json" };
    if (method !== "GET") { headers["X-CSRFToken"] = RTCC.csrfToken(); }
    let response;
    try {
      response = await fetch(url, { method: method, body: payload, credentials: "same-origin", headers: headers });
    } catch (e) {
      throw new Error("Could not reach the server: check the connection and try again.");
    }
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok) {
      const said = data && (data.error || data.detail);
      const error = new Error(said || (response.status === 403 ? "Not allowed: sign in again or ask a supervisor."
        : "The server could not do that (HTTP " + response.status + ")."));
      error.status = response.status;
      error.data = data;
      throw error;
    }
    if (data === null) { throw new Error("The server's answer was not readable."); }
    return data;
  };

  // --- Alert sound ------------------------------------------------------------------------------------------
  // unlock() must run from a click; play(tones) then sounds a beep per frequency, e.g. [880, 660, 880].
  let audio = null;
  RTCC.sound = {
    unlock: function () {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!audio && Context) { audio = new Context(); }
      if (audio && audio.state === "suspended") { audio.resume(); }
      return audio !== null;
    },
    ready: function () { return audio !== null; },
    play: function (tones, volume) {
      if (!audio) { return; }
      let t = audio.currentTime;
      tones.forEach((freq) => {
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        osc.type = "square";
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, t);
        gain.gain.exponentialRampToValueAtTime(volume || 0.3, t + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.2);
        osc.connect(gain);
        gain.connect(audio.destination);
        osc.start(t);
        osc.stop(t + 0.21);
        t += 0.25;
      });
    }
  };

  // --- Map ----------------------------------------------------------------------------------------------
  // Data attributes (written by {% map_attrs %}): data-center "lat,lon", data-zoom; data-tile-url (the installed
  // basemap's /maps/tiles/ URL or the city's GIS), data-attribution, data-min-native-zoom, data-max-native-zoom,
  // data-tile-bounds "south,west,north,east"; data-outline-url (the city's outline and named places, drawn when
  // there are no tiles); data-search-url (the search box). Without tiles, markers' labels stay shown.
  RTCC.map = function (el, options) {
    if (!el || !window.L) { return null; }
    const d = el.dataset;
    const map = L.map(el, Object.assign({ zoomControl: true, attributionControl: true }, options || {}));
    map.attributionControl.setPrefix(false);
    if (d.tileUrl) {
      const tiles = { maxZoom: 19, attribution: d.attribution || "" };
      if (d.maxNativeZoom) { tiles.maxNativeZoom = parseInt(d.maxNativeZoom, 10); }
      if (d.minNativeZoom) { tiles.minNativeZoom = parseInt(d.minNativeZoom, 10); }
      if (d.tileBounds) {
        const b = d.tileBounds.split(",").map(Number);
        tiles.bounds = L.latLngBounds([b[0], b[1]], [b[2], b[3]]);
      }
      L.tileLayer(d.tileUrl, tiles).addTo(map);
    } else {
      el.classList.add("no-tiles");
      if (d.outlineUrl) { drawOutline(map, d.outlineUrl); }
      labelMarkers(map);
    }
    if (d.searchUrl) { searchControl(d.searchUrl).addTo(map); }
    L.control.scale({ position: "bottomleft" }).addTo(map);
    map.setView(RTCC.mapCentre(el), parseInt(d.zoom || "13", 10));
    return map;
  };

  // The city's outline, rivers and main streets as lines, and named places as labels: enough to find one's way
  // on a map with no basemap. Nothing here takes clicks, so markers above stay the only interactive layers.
  function drawOutline(map, url) {
    RTCC.fetchJSON(url).then((geo) => {
      if (geo.note) { map.attributionControl.addAttribution(geo.note.split(":")[0] + " city outline"); }
      const styles = {
        outline: { color: "#8fa3c0", weight: 2, dashArray: "6 4", fillColor: "#2a3a55", fillOpacity: 0.35 },
        water: { color: "#3b82c4", weight: 6, opacity: 0.7 },
        road: { color: "#c9d2e0", weight: 3, opacity: 0.6 }
      };
      L.geoJSON(geo, {
        interactive: false,
        style: (f) => styles[f.properties.kind] || styles.road,
        pointToLayer: (f, latlng) => L.marker(latlng, {
          interactive: false, keyboard: false,
          icon: L.divIcon({ className: "map-place map-place-" + (f.properties.kind || "place"), html: "", iconSize: null })
        }),
        onEachFeature: (f, layer) => {
          if (layer instanceof L.Marker) {
            layer.on("add", () => { layer.getElement().textContent = f.properties.name || ""; });
          } else if (f.properties.kind !== "outline" && f.properties.name) {
            layer.bindTooltip(document.createTextNode(f.properties.name), {
              permanent: true, direction: "center", className: "map-line-label", interactive: false
            });
          }
        }
      }).addTo(map).bringToBack();
      container(map).classList.add("outline-drawn");
    }).catch(() => { container(map).classList.add("outline-missing"); });
  }
  function container(map) { return map.getContainer(); }

  // Markers' hover labels become permanent (a map without streets needs its names shown), from zoom 13 in.
  // A tooltip bound with { hoverOnly: true } stays a hover label. Where labels would overlap, the later one
  // (drawn above: incidents and hits over cameras) is kept and the other faded out, so names stay readable.
  function labelMarkers(map) {
    function label(layer) {
      const tip = layer.getTooltip && layer.getTooltip();
      if (!tip || tip.options.permanent || tip.options.hoverOnly) { return; }
      const content = tip.getContent();
      const dx = Math.max(8, (tip.options.offset && tip.options.offset[0]) || 0);  // a wide marker keeps its offset
      layer.unbindTooltip();
      layer.bindTooltip(content, { permanent: true, direction: "right", className: "map-marker-label", offset: [dx, 0] });
    }
    function declutter() {
      const labels = Array.from(container(map).querySelectorAll(".map-marker-label")).reverse();
      labels.forEach((tip) => tip.classList.remove("label-overlap"));
      const kept = [];
      labels.forEach((tip) => {
        const r = tip.getBoundingClientRect();
        if (!r.width) { return; }
        const covers = kept.some((k) => r.left < k.right && r.right > k.left && r.top < k.bottom && r.bottom > k.top);
        if (covers) { tip.classList.add("label-overlap"); } else { kept.push(r); }
      });
    }
    let pending = null;
    function soon() { clearTimeout(pending); pending = setTimeout(declutter, 60); }
    // Page scripts bind tooltips just after adding a marker: look once they have.
    map.on("layeradd", (e) => { setTimeout(() => label(e.layer), 0); soon(); });
    map.on("layerremove", soon);
    map.on("zoomend moveend", soon);
    function byZoom() { container(map).classList.toggle("labels-hidden", map.getZoom() < 13); }
    map.on("zoomend", byZoom);
    map.whenReady(byZoom);
  }

  // --- Place search: a box that finds addresses, intersections and cameras (/maps/search/?q=) -------------
  // RTCC.placeSearch(input, url, choose): suggestions under `input`; choose(result) gets {label, kind, lat, lon}.
  RTCC.placeSearch = function (input, url, choose) {
    const list = document.createElement("ul");
    list.className = "place-results";
    list.id = (input.id || "place") + "-results";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-autocomplete", "list");
    input.insertAdjacentElement("afterend", list);
    let results = [];
    let active = -1;
    let asked = 0;

    function show(found, query) {
      results = found;
      active = -1;
      list.replaceChildren();
      input.removeAttribute("aria-activedescendant");
      found.forEach((r, i) => {
        const li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.dataset.kind = r.kind;
        const kind = document.createElement("span");
        kind.className = "place-kind";
        kind.textContent = { camera: "Camera", intersection: "Crossing", address: "Address", geocoder: "Place" }[r.kind] || "";
        li.append(kind, document.createTextNode(" " + r.label));
        li.addEventListener("mousedown", (e) => { e.preventDefault(); pick(i); });
        list.append(li);
      });
      if (!found.length && query) {
        const li = document.createElement("li");
        li.className = "place-none";
        li.textContent = "No address, crossing or camera found for “" + query + "”.";
        list.append(li);
      }
      list.hidden = !query;
    }
    function highlight(i) {
      active = i;
      Array.from(list.children).forEach((li, n) => li.setAttribute("aria-selected", String(n === i)));
      input.setAttribute("aria-activedescendant", list.id + "-" + i);
    }
    function pick(i) {
      const r = results[i];
      if (!r) { return; }
      list.hidden = true;
      choose(r);
    }
    async function ask() {
      const query = input.value.trim();
      const ticket = ++asked;
      if (query.length < 2) { show([], ""); return; }
      try {
        const data = await RTCC.fetchJSON(url + "?q=" + encodeURIComponent(query));
        if (ticket === asked) { show(data.results || [], query); }
      } catch (e) {
        if (ticket === asked) { show([], ""); }
      }
      return ticket;
    }
    let timer = null;
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(ask, 250); });
    input.addEventListener("keydown", async (e) => {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (results.length) { highlight((active + (e.key === "ArrowDown" ? 1 : results.length - 1)) % results.length); }
      } else if (e.key === "Enter") {
        e.preventDefault();  // never submits the form around it: Enter means "go there"
        clearTimeout(timer);
        if (active < 0) { await ask(); }
        pick(Math.max(active, 0));
      } else if (e.key === "Escape") { list.hidden = true; }
    });
    input.addEventListener("blur", () => { list.hidden = true; });
    return { ask: ask };
  };

  // The search box on every staff map: a found place is centred and marked; the map fires "rtcc:found".
  // (Made when first asked for: pages load Leaflet after this module.)
  function searchControl(url) {
    const control = L.control({ position: "topright" });
    control.onAdd = function (map) {
      const box = L.DomUtil.create("div", "map-search leaflet-bar");
      const input = L.DomUtil.create("input", "", box);
      input.type = "search";
      input.id = "map-search-" + L.stamp(map);
      input.placeholder = "Address, crossing or camera";
      input.setAttribute("aria-label", "Find an address, intersection or camera on the map");
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      let found = null;
      RTCC.placeSearch(input, url, (r) => {
        const latlng = L.latLng(r.lat, r.lon);
        if (found) { map.removeLayer(found); }
        found = L.circleMarker(latlng, {
          radius: 11, color: RTCC.colour("accent") || "#4aa3ff", weight: 3, fill: false, interactive: false,
          className: "map-found"
        }).addTo(map);
        found.bindTooltip(document.createTextNode(r.label), { permanent: true, direction: "top", offset: [0, -10] });
        map.setView(latlng, Math.max(map.getZoom(), 17));
        map.fire("rtcc:found", { latlng: latlng, result: r });
      });
      return box;
    };
    return control;
  }

  RTCC.mapCentre = function (el) {
    return (el.dataset.center || "0,0").split(",").map(Number);
  };
  // A round marker; its tooltip is given as text because Leaflet inserts a string tooltip as HTML.
  RTCC.dot = function (latlng, colour, label, options) {
    const marker = L.circleMarker(latlng, Object.assign({
      radius: 8, color: "#0b0f17", weight: 1.5, fillColor: RTCC.colour(colour), fillOpacity: 0.95
    }, options || {}));
    if (label) { marker.bindTooltip(document.createTextNode(label)); }
    return marker;
  };

  // A camera's view as a wedge polygon: `fov` degrees around compass `bearing`, `metres` long, from (lat, lon).
  RTCC.wedge = function (lat, lon, bearing, fov, metres) {
    const pts = [[lat, lon]];
    const steps = 8;
    for (let i = 0; i <= steps; i++) {
      const b = (bearing - fov / 2 + (fov * i) / steps) * Math.PI / 180;
      const dLat = (metres * Math.cos(b)) / 111320;
      const dLon = (metres * Math.sin(b)) / (111320 * Math.cos(lat * Math.PI / 180));
      pts.push([lat + dLat, lon + dLon]);
    }
    return pts;
  };

  // --- Sizes and colours from the data ---------------------------------------------------------------------
  // The Content-Security-Policy refuses style= attributes, so templates give them in data- attributes and this
  // sets them through the CSSOM: data-pct-left, data-pct-width, data-pct-height (percentages), and
  // data-camera-status (a status dot's colour, from the same choices as the map's markers).
  const PERCENT_PROPERTIES = { pctLeft: "left", pctWidth: "width", pctHeight: "height" };
  RTCC.applyDataStyles = function (root) {
    const scope = root || document;
    scope.querySelectorAll("[data-pct-left], [data-pct-width], [data-pct-height]").forEach((el) => {
      Object.keys(PERCENT_PROPERTIES).forEach((key) => {
        const value = parseFloat(el.dataset[key]);
        if (isFinite(value)) { el.style[PERCENT_PROPERTIES[key]] = value + "%"; }
      });
    });
    scope.querySelectorAll("[data-camera-status]").forEach((el) => {
      el.style.background = RTCC.colour(RTCC.choice("cameraStatus", el.dataset.cameraStatus).colour);
    });
  };
  RTCC.applyDataStyles();

  // --- Live connection ------------------------------------------------------------------------------------
  // #live-state (in the top bar) says the state in words; #event-feed (dashboard) lists events as they come.
  const STATES = {
    connecting: "Connecting…",
    live: "Live",
    reconnecting: "Reconnecting…",
    offline: "Live updates paused: no network",
    // The server's message bus (Redis) is away: events still arrive from the database every few seconds.
    polling: "Instant updates paused: alerts arrive within seconds"
  };
  // A socket that has said nothing for this long is presumed dead (the server answers every ping).
  const PING_EVERY_MS = 20000;
  const SILENCE_LIMIT_MS = 45000;
  const live = (function () {
    const stateEl = document.getElementById("live-state");
    if (!stateEl) { return null; }
    const feed = document.getElementById("event-feed");
    const listeners = [];
    const seen = new Set();
    // Pages without a feed only show the connection state: they ask for no history.
    let lastId = feed ? parseInt(feed.getAttribute("data-last-id") || "0", 10) : null;
    let attempt = 0;
    let state = "connecting";
    if (feed) { feed.querySelectorAll("[data-id]").forEach((li) => seen.add(li.getAttribute("data-id"))); }

    function setState(name) {
      state = name;
      // data-state keeps three values for styling and tests: connecting, live, down.
      stateEl.setAttribute("data-state", ["live", "connecting", "polling"].includes(name) ? name : "down");
      const words = stateEl.querySelector(".live-words");
      if (words) { words.textContent = STATES[name]; }
      document.querySelectorAll("[data-live-status]").forEach((el) => { el.textContent = STATES[name]; });
    }

    function render(event) {
      const li = document.createElement("li");
      li.className = "event new sev-" + event.severity;
      li.setAttribute("data-id", event.id);
      const time = document.createElement("time");
      time.dateTime = event.created_at;
      time.textContent = RTCC.formatTime(event.created_at);
      const kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = RTCC.eventLabel(event.kind);
      const summary = document.createElement("span");
      summary.className = "summary";
      summary.textContent = event.summary;
      li.append(time, kind, summary);
      return li;
    }

    function handle(event) {
      if (seen.has(String(event.id))) { return; }
      seen.add(String(event.id));
      // Only recent ids can come again (catch-up and sweeps look back minutes): a shift-long page stays small.
      if (seen.size > 5000) { seen.delete(seen.values().next().value); }
      if (lastId === null || event.id > lastId) { lastId = event.id; }
      if (feed) {
        feed.insertBefore(render(event), feed.firstChild);
        while (feed.children.length > 200) { feed.removeChild(feed.lastChild); }
        const empty = document.querySelector(".feed-empty");
        if (empty) { empty.hidden = true; }
      }
      listeners.forEach((fn) => { try { fn(event); } catch (e) { console.error(e); } });
    }

    function connect() {
      const scheme = location.protocol === "https:" ? "wss://" : "ws://";
      const query = lastId === null ? "" : "?last_id=" + lastId;
      const socket = new WebSocket(scheme + location.host + stateEl.getAttribute("data-url") + query);
      setState(attempt ? "reconnecting" : "connecting");
      let heard = Date.now();
      let delivery = "instant";
      const pinger = setInterval(function () {
        if (Date.now() - heard > SILENCE_LIMIT_MS) { socket.close(); return; }
        if (socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify({ type: "ping" })); }
      }, PING_EVERY_MS);
      socket.onopen = function () { attempt = 0; };
      socket.onmessage = function (msg) {
        heard = Date.now();
        let data;
        try { data = JSON.parse(msg.data); } catch (e) { return; }
        if (data.type === "event") { handle(data.event); }
        else if (data.type === "hello" || data.type === "delivery") {
          delivery = data.delivery || "instant";
          setState(delivery === "polling" ? "polling" : "live");
        } else if (data.type === "caught_up") { setState(delivery === "polling" ? "polling" : "live"); }
      };
      socket.onclose = function () {
        clearInterval(pinger);
        attempt += 1;
        setState(attempt > 3 && !navigator.onLine ? "offline" : "reconnecting");
        const delay = Math.min(15000, 500 * Math.pow(2, attempt)) * (0.75 + Math.random() * 0.5);
        setTimeout(connect, delay);
      };
    }

    setState("connecting");
    return {
      onEvent: function (fn) { listeners.push(fn); },
      lastId: function () { return lastId; },
      state: function () { return state; },
      start: connect
    };
  })();
  RTCC.live = live;

  // Coalesce bursts (several events for one change) into one call after `wait` ms.
  RTCC.debounce = function (fn, wait) {
    let timer = null;
    return function () {
      if (timer) { return; }
      timer = setTimeout(() => { timer = null; fn(); }, wait);
    };
  };

  // Camera thumbnails that fail to load show a placeholder (class "missing") instead of a broken image.
  function markMissing(img) { img.classList.add("missing"); }
  const THUMBS = "img.thumb, img.live-thumb";
  document.addEventListener("error", (e) => {
    if (e.target instanceof HTMLImageElement && e.target.matches(THUMBS)) { markMissing(e.target); }
  }, true);
  document.querySelectorAll(THUMBS).forEach((img) => {
    if (img.complete && img.naturalWidth === 0 && img.getAttribute("src")) { markMissing(img); }
  });

  window.RTCC = RTCC;
  if (live) { live.start(); }
})();
