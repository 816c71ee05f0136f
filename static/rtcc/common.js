// The front end's shared module: everything page scripts share lives on one namespace, window.RTCC.
// - RTCC.map(el): a Leaflet map set up from the element's data- attributes (centre, zoom, tile URL).
// - RTCC.csrfToken(), RTCC.fetchJSON(url, options): requests with the session and CSRF token, errors as plain words.
// - RTCC.sound: the alert tone (Web Audio: nothing to download; browsers only play it after a click).
// - RTCC.url(el, name, id): URLs come from the page's data- attributes, never written into a script.
// - RTCC.choices: status colours and labels, rendered from the Python choices in base.html.
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
  // data-tile-url (none: markers on a plain background), data-attribution, data-center "lat,lon", data-zoom.
  RTCC.map = function (el, options) {
    if (!el || !window.L) { return null; }
    const d = el.dataset;
    const map = L.map(el, Object.assign({ zoomControl: true, attributionControl: !!d.tileUrl }, options || {}));
    if (d.tileUrl) {
      L.tileLayer(d.tileUrl, { maxZoom: 19, attribution: d.attribution || "" }).addTo(map);
    } else {
      el.classList.add("no-tiles");
    }
    map.setView(RTCC.mapCentre(el), parseInt(d.zoom || "13", 10));
    return map;
  };
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
