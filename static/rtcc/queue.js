// The dashboard's alert queue: three lanes that cannot bury each other (critical hits, cameras, other hits).
// Each unreviewed hit is one alert until someone reviews it: repeat sightings of the same car update its count
// and latest sighting (plates/alerts.py folds them), nothing scrolls it away. An analyst claims an alert so two
// people don't chase one car, and confirms or dismisses it in place (fetch + JSON, no page load); the server
// pushes each change to the other screens. Critical alerts and notices raise a banner and a tone: sound is on
// by default and unlocks on the first click or key (browsers play audio only after one); the toggle says which.
// Hits-table review forms (server rows here and on the hits page) are sent the same way, without a reload.
// A hit marked state mismatch (the read state confidently differs from the list's) sits below every other alert
// in its lane and sounds no alarm; it and a hit matched on an alternative reading carry their label.
(function () {
  "use strict";
  const queue = document.getElementById("alert-queue");
  const banner = document.getElementById("critical-banner");
  const connection = document.getElementById("connection-banner");
  const config = RTCC.readJSON("hit-config", {});
  const reasons = config.dismissReasons || [];
  const CRITICAL = 2; // Priority.HIGH and above go to the critical lane (the same rule as plates/alerts.py)

  // --- Sound: wanted unless switched off; playable once the browser has seen a click or a key --------------
  const toggle = queue && queue.querySelector(".sound-toggle");
  let soundWanted = localStorage.getItem("rtcc.alertSound") !== "off";
  function paintToggle() {
    if (!toggle) { return; }
    toggle.setAttribute("aria-pressed", soundWanted ? "true" : "false");
    toggle.dataset.state = !soundWanted ? "off" : RTCC.sound.ready() ? "on" : "waiting";
    toggle.textContent = !soundWanted ? "Sound: off" : RTCC.sound.ready() ? "Sound: on" : "Sound: on – click to allow";
  }
  function unlockOnce() {
    if (soundWanted) { RTCC.sound.unlock(); }
    paintToggle();
  }
  // On click, not pointerdown: repainting the toggle between press and release could move the button pressed.
  document.addEventListener("click", unlockOnce, { once: true, capture: true });
  document.addEventListener("keydown", unlockOnce, { once: true, capture: true });
  if (toggle) {
    toggle.addEventListener("click", function () {
      soundWanted = !soundWanted;
      localStorage.setItem("rtcc.alertSound", soundWanted ? "on" : "off");
      if (soundWanted && RTCC.sound.unlock()) { RTCC.sound.play([880], 0.2); }
      paintToggle();
    });
    paintToggle();
  }
  function alarm() { if (soundWanted && RTCC.sound.ready()) { RTCC.sound.play([880, 660, 880], 0.3); } }

  // --- Banner for critical alerts and notices; a second one while the connection is down ----------------------
  function raise(text) {
    if (!banner) { return; }
    banner.querySelector(".banner-text").textContent = text;
    banner.hidden = false;
    alarm();
  }
  if (banner) { banner.querySelector(".banner-seen").addEventListener("click", function () { banner.hidden = true; }); }
  if (connection && RTCC.live) {
    let downSince = null;
    setInterval(function () {
      const state = RTCC.live.state();
      if (state === "live" || state === "polling") { downSince = null; connection.hidden = true; return; }
      if (state === "connecting") { return; }
      downSince = downSince || Date.now();
      connection.hidden = Date.now() - downSince < 3000;
    }, 1000);
  }

  // --- Lanes ----------------------------------------------------------------------------------------------
  function lane(name) { return queue && queue.querySelector('[data-lane="' + name + '"]'); }
  function recount(section) {
    if (!section) { return; }
    const n = section.querySelectorAll(".lane-list > li").length;
    section.querySelector("[data-count]").textContent = n;
    section.querySelector(".lane-empty").hidden = n > 0;
  }
  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text != null) { node.textContent = text; }
    return node;
  }

  function sightings(n) { return n > 1 ? "Seen " + n + " times" : "Seen once"; }
  function claimLine(d) { return d.claimed_by ? "Taken by " + d.claimed_by : ""; }

  function alertItem(d) {
    const li = el("li", "alert prio-" + d.priority);
    li.dataset.hit = d.hit_id;
    const head = el("div", "alert-head");
    head.append(el("span", "plate", d.plate));
    if (d.matched_plate && d.matched_plate !== d.plate) { head.append(el("span", "muted small", " ≈ " + d.matched_plate)); }
    head.append(el("span", "alert-count", sightings(d.count || 1)));
    li.append(head);
    li.append(el("div", "small", d.hotlist + " · " + (d.priority_label || "") +
      (d.reason || d.vehicle ? " – " + (d.reason || "") + (d.vehicle ? " (" + d.vehicle + ")" : "") : "")));
    li.append(el("div", "hit-notes"));
    const seen = el("div", "small alert-seen");
    li.append(seen);
    const claim = el("div", "small alert-claim");
    li.append(claim);
    li.append(actions(d, li));
    paintAlert(li, d);
    return li;
  }
  function paintAlert(li, d) {
    const notes = li.querySelector(".hit-notes");
    notes.replaceChildren.apply(notes, (d.notes || []).map(function (text) { return el("span", "hit-note", text); }));
    li.classList.toggle("state-mismatch", !!d.state_mismatch);
    li.querySelector(".alert-count").textContent = sightings(d.count || 1);
    li.dataset.count = d.count || 1;
    const seen = li.querySelector(".alert-seen");
    seen.textContent = "Last seen ";
    const time = el("time", "", RTCC.formatTime(d.read_at));
    time.dateTime = d.read_at;
    seen.append(time, document.createTextNode(" at " + d.camera));
    li.querySelector(".alert-claim").textContent = claimLine(d);
    const claimButton = li.querySelector(".claim");
    if (claimButton) { claimButton.hidden = !!d.claimed_by; }
    li.classList.toggle("claimed", !!d.claimed_by);
  }

  function actions(d, li) {
    const form = el("form", "hit-review alert-actions");
    const claim = el("button", "claim", "Take it");
    claim.type = "button";
    const confirm = el("button", "primary", "Confirm");
    confirm.type = "button";
    const select = el("select");
    select.setAttribute("aria-label", "Reason to dismiss");
    select.append(new Option("Dismiss because…", ""));
    reasons.forEach(function (r) { select.append(new Option(r[1], r[0])); });
    const dismiss = el("button", "", "Dismiss");
    dismiss.type = "button";
    const msg = el("span", "error small");
    msg.setAttribute("role", "status");
    function fail(e) { msg.textContent = "Not saved: " + e.message; }
    claim.addEventListener("click", function () {
      msg.textContent = "";
      RTCC.fetchJSON(RTCC.url(queue, "claim", d.hit_id), { body: {} })
        .then(function (data) { d.claimed_by = data.claimed_by; paintAlert(li, d); })
        .catch(fail);
    });
    function review(status) {
      msg.textContent = "";
      RTCC.fetchJSON(RTCC.url(queue, "review", d.hit_id), { body: { status: status, reason: select.value } })
        .then(function () { removeAlert(d.hit_id); })
        .catch(fail);
    }
    confirm.addEventListener("click", function () { review("confirmed"); });
    dismiss.addEventListener("click", function () {
      if (!select.value) { msg.textContent = "Choose why it is dismissed."; select.focus(); return; }
      review("dismissed");
    });
    form.append(claim, confirm, select, dismiss, msg);
    return form;
  }

  function findAlert(id) { return queue && queue.querySelector('li.alert[data-hit="' + id + '"]'); }
  function removeAlert(id) {
    const li = findAlert(id);
    if (!li) { return; }
    const section = li.closest(".lane");
    li.remove();
    recount(section);
  }
  // Newest sighting on top; an alert seen again moves up, it never drops off the bottom. State mismatches go on
  // top of the state mismatches, below every other alert (plates/alerts.py ranks them the same way).
  function placeAlert(d, isNew) {
    const section = lane(d.priority <= CRITICAL ? "critical" : "hits");
    if (!section) { return null; }
    let li = findAlert(d.hit_id);
    if (li) { paintAlert(li, d); } else { li = alertItem(d); }
    const list = section.querySelector(".lane-list");
    const others = Array.prototype.filter.call(list.children, function (n) { return n !== li; });
    const below = d.state_mismatch
      ? others.find(function (n) { return n.classList.contains("state-mismatch"); }) || null
      : others[0] || null;
    list.insertBefore(li, below);
    if (isNew) { li.classList.add("alert-flash"); }
    recount(section);
    return li;
  }

  const initial = RTCC.readJSON("alert-queue-data", null);
  if (initial) {
    ["critical", "hits"].forEach(function (name) {
      const part = initial[name] || { alerts: [], more: 0 };
      part.alerts.slice().reverse().forEach(function (d) { placeAlert(d, false); });
      const more = lane(name) && lane(name).querySelector(".lane-more");
      if (more && part.more) { more.hidden = false; more.textContent = part.more + " older alerts waiting on the hits page."; }
      recount(lane(name));
    });
  }

  // --- Cameras lane: offline and degraded cameras stay until they are back ----------------------------------
  function cameraEvent(event) {
    const section = lane("health");
    const d = event.data || {};
    if (!section || d.camera_id == null) { return; }
    const old = section.querySelector('li[data-camera="' + d.camera_id + '"]');
    if (d.status !== "offline" && d.status !== "degraded") {
      if (old) { old.remove(); }
      recount(section);
      return;
    }
    const li = el("li", "camera-alert status-" + d.status);
    li.dataset.camera = d.camera_id;
    const a = el("a", "", event.summary);
    a.href = RTCC.url(queue, "camera", d.camera_id);
    const time = el("time", "small muted", RTCC.formatTime(event.created_at));
    time.dateTime = event.created_at;
    li.append(a, document.createTextNode(" "), el("span", "badge", RTCC.eventLabel(event.kind)), document.createTextNode(" "), time);
    if (old) { old.remove(); }
    const list = section.querySelector(".lane-list");
    list.insertBefore(li, list.firstChild);
    recount(section);
    if (d.status === "offline") { alarm(); }
  }

  if (RTCC.live) {
    RTCC.live.onEvent(function (event) {
      const d = event.data || {};
      if (event.kind === "hit.created" || event.kind === "hit.repeated") {
        const isNew = event.kind === "hit.created";
        const known = findAlert(d.hit_id);
        if (d.status && d.status !== "new") { return; }
        if (known && isNew) { return; }
        placeAlert(Object.assign({ count: 1 }, d), isNew);
        if (isNew && d.priority <= CRITICAL && !d.state_mismatch) { raise("Critical hit: " + event.summary); }
      } else if (event.kind === "hit.revised") {
        // The pass's final reading changed the hit's marks (state mismatch, alternative reading): relabel, re-rank.
        if (d.status === "new") { placeAlert(d, false); }
      } else if (event.kind === "hit.claimed") {
        const li = findAlert(d.hit_id);
        if (li) {
          li.querySelector(".alert-claim").textContent = claimLine(d);
          li.classList.add("claimed");
          const button = li.querySelector(".claim");
          if (button) { button.hidden = true; }
        }
      } else if (event.kind === "hit.reviewed" || event.kind === "hit.withdrawn") {
        removeAlert(d.hit_id);
      } else if (event.kind.indexOf("camera.") === 0) {
        cameraEvent(event);
      } else if (event.severity === "critical" && event.kind === "notice") {
        raise(event.summary);
      }
    });
  }

  // --- Hits-table review forms: sent with fetch, the row's review cell redrawn from the answer --------------
  document.addEventListener("submit", function (e) {
    const form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("hit-review") || !form.action) { return; }
    e.preventDefault();
    const body = new FormData(form, e.submitter || undefined);
    let msg = form.querySelector(".error");
    if (!msg) { msg = el("span", "error small"); msg.setAttribute("role", "status"); form.append(msg); }
    msg.textContent = "";
    RTCC.fetchJSON(form.action, { body: body })
      .then(function (data) {
        const holder = form.parentElement;
        const badge = el("span", "badge" + (data.status === "confirmed" ? " ok" : ""),
          data.outcome_label || data.status_label + (data.dismiss_reason ? ": " + data.dismiss_reason : ""));
        form.replaceWith(badge);
        if (holder) { holder.classList.add("reviewed"); }
        removeAlert(data.hit_id);
      })
      .catch(function (err) { msg.textContent = "Not saved: " + err.message; });
  });
})();
