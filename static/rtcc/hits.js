// The dashboard's plate-hit panel: new hits appear at the top as they are pushed, with the crop, the list,
// its reason and priority, and buttons to confirm or dismiss (with a reason). High-priority hits sound a
// tone (once the operator has switched sound on: browsers only play audio after a click) and pulse on the map.
(function () {
  "use strict";
  var panel = document.getElementById("hits-panel");
  if (!panel || !window.rtccLive) { return; }
  var config = JSON.parse((document.getElementById("hit-config") || { textContent: "{}" }).textContent || "{}");
  var reasons = config.dismissReasons || [];
  var csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";

  // --- Sound: a two-tone alert made with Web Audio (no file to download). ---
  var audio = null;
  var soundOn = localStorage.getItem("rtcc.hitSound") === "on";
  var toggle = panel.querySelector(".sound-toggle");
  function ensureAudio() {
    if (!audio && (window.AudioContext || window.webkitAudioContext)) {
      audio = new (window.AudioContext || window.webkitAudioContext)();
    }
    if (audio && audio.state === "suspended") { audio.resume(); }
  }
  function paintToggle() {
    if (!toggle) { return; }
    toggle.setAttribute("aria-pressed", soundOn ? "true" : "false");
    toggle.textContent = soundOn ? "Sound: on" : "Sound: off";
  }
  if (toggle) {
    toggle.addEventListener("click", function () {
      soundOn = !soundOn;
      localStorage.setItem("rtcc.hitSound", soundOn ? "on" : "off");
      if (soundOn) { ensureAudio(); beep(); }
      paintToggle();
    });
    paintToggle();
  }
  function beep() {
    if (!soundOn) { return; }
    ensureAudio();
    if (!audio) { return; }
    var t = audio.currentTime;
    [880, 660, 880].forEach(function (freq, i) {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.type = "square";
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t + i * 0.22);
      gain.gain.exponentialRampToValueAtTime(0.25, t + i * 0.22 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + i * 0.22 + 0.2);
      osc.connect(gain); gain.connect(audio.destination);
      osc.start(t + i * 0.22); osc.stop(t + i * 0.22 + 0.21);
    });
  }
  window.rtccHitSound = { beep: beep, isOn: function () { return soundOn; } };

  function cell(text, cls) {
    var td = document.createElement("td");
    td.textContent = text == null ? "" : text;
    if (cls) { td.className = cls; }
    return td;
  }
  function post(url, fields) {
    var body = new URLSearchParams(fields);
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
    }).then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); });
  }
  function reviewControls(d) {
    var td = document.createElement("td");
    var form = document.createElement("form");
    form.className = "hit-review";
    form.dataset.hit = d.hit_id;
    var confirm = document.createElement("button");
    confirm.type = "button"; confirm.className = "primary"; confirm.textContent = "Confirm";
    var select = document.createElement("select");
    select.setAttribute("aria-label", "Reason to dismiss");
    var first = document.createElement("option");
    first.value = ""; first.textContent = "Dismiss because…";
    select.appendChild(first);
    reasons.forEach(function (r) {
      var o = document.createElement("option");
      o.value = r[0]; o.textContent = r[1];
      select.appendChild(o);
    });
    var dismiss = document.createElement("button");
    dismiss.type = "button"; dismiss.textContent = "Dismiss";
    var msg = document.createElement("span");
    msg.className = "error small";
    function send(status) {
      msg.textContent = "";
      post("/plates/hits/" + d.hit_id + "/review/", { status: status, reason: select.value }).then(function (res) {
        if (!res.ok) { msg.textContent = res.body.error || "Could not save."; }
      }).catch(function () { msg.textContent = "Not saved: the connection is down. Try again."; });
    }
    confirm.addEventListener("click", function () { send("confirmed"); });
    dismiss.addEventListener("click", function () {
      if (!select.value) { msg.textContent = "Choose why it is dismissed."; select.focus(); return; }
      send("dismissed");
    });
    form.appendChild(confirm); form.appendChild(select); form.appendChild(dismiss); form.appendChild(msg);
    td.appendChild(form);
    return td;
  }

  function table() {
    var body = panel.querySelector("tbody");
    if (body) { return body; }
    var empty = panel.querySelector(".empty");
    if (empty) { empty.remove(); }
    var t = document.createElement("table");
    t.className = "table hits-table";
    t.innerHTML = "<thead><tr><th>Time</th><th>Crop</th><th>Plate</th><th>Hotlist / reason</th><th>Camera</th>" +
      "<th>Match</th><th>Review</th></tr></thead><tbody></tbody>";
    panel.appendChild(t);
    return t.querySelector("tbody");
  }

  window.rtccLive.onEvent(function (event) {
    var d = event.data || {};
    if (event.kind === "hit.reviewed") {
      var row = panel.querySelector('tr[data-hit="' + d.hit_id + '"]');
      if (!row) { return; }
      var last = row.lastElementChild;
      last.textContent = "";
      var badge = document.createElement("span");
      badge.className = "badge" + (d.status === "confirmed" ? " ok" : "");
      badge.textContent = d.outcome || d.status_label + (d.dismiss_reason ? ": " + d.dismiss_reason : "");
      last.appendChild(badge);
      var by = document.createElement("span");
      by.className = "muted small"; by.textContent = " " + d.by;
      last.appendChild(by);
      if (d.status === "confirmed" && config.incidentUrl) {
        var a = document.createElement("a");
        a.className = "button"; a.href = config.incidentUrl + "?hit=" + d.hit_id; a.textContent = "Create incident";
        last.appendChild(document.createTextNode(" "));
        last.appendChild(a);
      }
      return;
    }
    if (event.kind !== "hit.created") { return; }
    var body = table();
    var tr = document.createElement("tr");
    tr.className = "hit-flash prio-" + d.priority;
    tr.dataset.hit = d.hit_id;
    var when = new Date(d.read_at || event.created_at);
    tr.appendChild(cell(when.toTimeString().slice(0, 8)));
    var crop = cell("");
    if (d.crop_url) {
      var img = document.createElement("img");
      img.src = d.crop_url; img.height = 32; img.alt = "Plate crop " + d.plate;
      crop.appendChild(img);
    }
    tr.appendChild(crop);
    var plate = cell(d.plate, "plate");
    if (d.matched_plate && d.matched_plate !== d.plate) {
      var approx = document.createElement("span");
      approx.className = "muted small"; approx.textContent = " ≈ " + d.matched_plate;
      plate.appendChild(approx);
    }
    tr.appendChild(plate);
    var list = cell(d.hotlist + " ");
    var prio = document.createElement("span");
    prio.className = "muted small"; prio.textContent = d.priority_label || "";
    list.appendChild(prio);
    if (d.reason || d.vehicle) {
      list.appendChild(document.createElement("br"));
      var why = document.createElement("span");
      why.className = "small"; why.textContent = (d.reason || "") + (d.vehicle ? " – " + d.vehicle : "");
      list.appendChild(why);
    }
    tr.appendChild(list);
    tr.appendChild(cell(d.camera));
    tr.appendChild(cell(d.match_kind));
    tr.appendChild(reviewControls(d));
    body.insertBefore(tr, body.firstChild);
    while (body.children.length > 15) { body.removeChild(body.lastChild); }
    if (d.priority <= 2) { beep(); }
    if (window.rtccMap && d.lat != null) { window.rtccMap.pulse(d.lat, d.lon, d.plate + " – " + d.hotlist); }
  });
})();
