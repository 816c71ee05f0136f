// One clip's page: frame stepping, seeking from thumbnails, plates and bookmarks,
// and the plate-reading job's live progress (pushed over the page's websocket, polled as a fallback).
(function () {
  "use strict";
  var page = document.getElementById("clip-page");
  if (!page) { return; }
  var player = document.getElementById("player");
  var fps = parseFloat(page.getAttribute("data-fps")) || 25;
  var duration = parseFloat(page.getAttribute("data-duration")) || 0;
  var timecode = document.getElementById("timecode");
  var playhead = document.getElementById("playhead");
  var bookmarkAt = document.getElementById("bookmark-at");

  function fmt(t) {
    var m = Math.floor(t / 60), s = t - m * 60;
    return m + ":" + (s < 10 ? "0" : "") + s.toFixed(2) + "  · frame " + Math.round(t * fps);
  }

  function seek(t) {
    if (!player) { return; }
    player.pause();
    player.currentTime = Math.max(0, Math.min(t, player.duration || duration || t));
    player.focus();
  }

  function step(frames) { if (player) { seek(player.currentTime + frames / fps); } }

  if (player) {
    player.addEventListener("timeupdate", update);
    player.addEventListener("seeked", update);
    player.addEventListener("loadedmetadata", function () { if (player.duration) { duration = player.duration; } placeMarkers(); update(); });
    document.getElementById("frame-back").addEventListener("click", function () { step(-1); });
    document.getElementById("frame-forward").addEventListener("click", function () { step(1); });
    document.getElementById("play-pause").addEventListener("click", function () { if (player.paused) { player.play(); } else { player.pause(); } });
    document.addEventListener("keydown", function (ev) {
      var tag = (ev.target.tagName || "").toLowerCase();
      if (tag === "input" || tag === "textarea" || tag === "select" || ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
      var handled = true;
      if (ev.key === ",") { step(-1); }
      else if (ev.key === ".") { step(1); }
      else if (ev.key === "k" || ev.key === " ") { if (player.paused) { player.play(); } else { player.pause(); } }
      else if (ev.key === "j") { seek(player.currentTime - 5); }
      else if (ev.key === "l") { seek(player.currentTime + 5); }
      else { handled = false; }
      if (handled) { ev.preventDefault(); }
    });
  }

  function update() {
    if (!player) { return; }
    var t = player.currentTime || 0;
    if (timecode) { timecode.textContent = fmt(t); }
    if (bookmarkAt) { bookmarkAt.value = t.toFixed(3); }
    if (playhead && duration) { playhead.style.left = (100 * t / duration) + "%"; }
  }

  function placeMarkers() {
    if (!duration) { return; }
    Array.prototype.forEach.call(document.querySelectorAll(".marker[data-at]"), function (m) {
      m.style.left = Math.min(100, 100 * parseFloat(m.getAttribute("data-at")) / duration) + "%";
    });
  }
  placeMarkers();

  document.addEventListener("click", function (ev) {
    var target = ev.target.closest ? ev.target.closest("[data-seek]") : null;
    if (target) { seek(parseFloat(target.getAttribute("data-seek"))); }
  });

  // --- Plate reading: start, progress, results --------------------------------------------
  var form = document.getElementById("read-plates-form");
  var box = document.getElementById("job-progress");
  var bar = document.getElementById("job-bar");
  var percent = document.getElementById("job-percent");
  var message = document.getElementById("job-message");
  var errorLine = document.getElementById("job-error");
  var list = document.getElementById("plate-list");
  var jobId = parseInt(page.getAttribute("data-running-job") || "0", 10) || null;
  var lastNews = 0;
  var pollTimer = null;

  function show(data) {
    if (!box) { return; }
    box.hidden = false;
    var p = data.progress || 0;
    bar.value = p;
    percent.textContent = p + " %";
    if (data.message) { message.textContent = data.message; }
    if (data.status === "running" && p > 0 && p < 100) {
      var seen = parseInt(box.getAttribute("data-max-running") || "0", 10);
      box.setAttribute("data-max-running", String(Math.max(seen, p)));
    }
    box.setAttribute("data-status", data.status);
  }

  function renderPlates(plates) {
    list.innerHTML = "";
    var empty = document.getElementById("plates-empty");
    if (empty) { empty.hidden = plates.length > 0; if (!plates.length) { empty.textContent = "No plates were read in this clip."; } }
    plates.forEach(function (p) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "plate-item" + (p.hotlist_matches.length ? " on-hotlist" : "");
      button.setAttribute("data-seek", String(p.best_seconds));
      if (p.crop_url) { var img = document.createElement("img"); img.src = p.crop_url; img.alt = "Plate " + p.plate; button.appendChild(img); }
      var text = document.createElement("span"); text.className = "plate"; text.textContent = p.plate; button.appendChild(text);
      var at = document.createElement("span"); at.className = "at"; at.textContent = p.best_seconds.toFixed(2) + " s"; button.appendChild(at);
      var span = document.createElement("span"); span.className = "muted small";
      span.textContent = p.first_seconds.toFixed(1) + "–" + p.last_seconds.toFixed(1) + " s · " + Math.round(p.confidence * 100) + "%";
      button.appendChild(span);
      p.hotlist_matches.forEach(function (m) {
        var badge = document.createElement("span"); badge.className = "hit-badge"; badge.textContent = m.hotlist + ": " + m.reason; button.appendChild(badge);
        (m.notes || []).forEach(function (text) {
          var note = document.createElement("span"); note.className = "hit-badge-note"; note.textContent = text; badge.appendChild(note);
        });
      });
      li.appendChild(button);
      list.appendChild(li);
    });
    var markers = document.getElementById("markers");
    if (markers) {
      Array.prototype.forEach.call(markers.querySelectorAll(".marker-plate"), function (m) { m.remove(); });
      plates.forEach(function (p) {
        var m = document.createElement("button");
        m.type = "button"; m.className = "marker marker-plate" + (p.hotlist_matches.length ? " marker-hit" : "");
        m.setAttribute("data-seek", String(p.best_seconds)); m.setAttribute("data-at", String(p.best_seconds));
        m.title = p.plate + " at " + p.best_seconds.toFixed(2) + " s";
        m.setAttribute("aria-label", "Go to plate " + m.title);
        markers.appendChild(m);
      });
      placeMarkers();
    }
  }

  function finished(data) {
    show(data);
    stopPolling();
    if (data.status === "failed") {
      errorLine.hidden = false;
      errorLine.textContent = "Job failed: " + data.message;
      return;
    }
    errorLine.hidden = true;
    if (data.kind === "plates") {
      RTCC.fetchJSON(RTCC.url(page, "status", data.job_id))
        .then(function (full) { renderPlates(full.plates || []); show(full); })
        .catch(function (e) { errorLine.hidden = false; errorLine.textContent = "Could not load the plates: " + e.message; });
    } else {
      location.reload();  // a new copy to play or to list
    }
  }

  function onNews(data) {
    if (!jobId || data.job_id !== jobId) { return; }
    lastNews = Date.now();
    if (data.status === "done" || data.status === "failed") { finished(data); } else { show(data); }
  }

  function poll() {
    if (!jobId || Date.now() - lastNews < 3000) { return; }
    RTCC.fetchJSON(RTCC.url(page, "status", jobId))
      .then(function (data) { if (data.job_id === jobId) { onNews(data); } })
      .catch(function () {});
  }

  function startPolling() { stopPolling(); pollTimer = setInterval(poll, 3000); }
  function stopPolling() { if (pollTimer) { clearInterval(pollTimer); pollTimer = null; } }

  if (RTCC.live) {
    RTCC.live.onEvent(function (event) {
      if (event.kind && event.kind.indexOf("footage.job.") === 0 && event.data) { onNews(event.data); }
    });
  }
  if (jobId) { startPolling(); }

  if (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var button = document.getElementById("read-plates");
      button.disabled = true;
      errorLine.hidden = true;
      RTCC.fetchJSON(form.action, { body: new FormData(form) })
        .then(function (data) {
          button.disabled = false;
          jobId = data.job_id;
          lastNews = Date.now();
          show(data);
          startPolling();
        })
        .catch(function (e) { button.disabled = false; errorLine.hidden = false; errorLine.textContent = e.message; });
    });
  }
})();
