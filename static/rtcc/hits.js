// The dashboard's plate-hit panel: new hits appear at the top as they are pushed, with the crop, the list,
// its reason and priority, and buttons to confirm or dismiss (with a reason). Hits pulse on the map; the alert
// queue (queue.js) owns the banner and the sound.
// A hit raised early on a passing car and withdrawn by the pass's final reading is marked withdrawn, with why.
// A state mismatch or a match on an alternative reading is labelled under the plate (and relabelled when the
// pass's final reading revises it).
(function () {
  "use strict";
  var panel = document.getElementById("hits-panel");
  if (!panel || !RTCC.live) { return; }
  var config = RTCC.readJSON("hit-config", {});
  var reasons = config.dismissReasons || [];
  function cell(text, cls) {
    var td = document.createElement("td");
    td.textContent = text == null ? "" : text;
    if (cls) { td.className = cls; }
    return td;
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
    msg.setAttribute("role", "status");
    function send(status) {
      msg.textContent = "";
      RTCC.fetchJSON(RTCC.url(panel, "review", d.hit_id), { body: { status: status, reason: select.value } })
        .catch(function (e) { msg.textContent = "Not saved: " + e.message; });
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
    t.innerHTML = "<thead><tr><th scope=col>Time</th><th scope=col>Crop</th><th scope=col>Plate</th>" +
      "<th scope=col>Hotlist / reason</th><th scope=col>Camera</th><th scope=col>Match</th><th scope=col>Review</th></tr>" +
      "</thead><tbody></tbody>";
    panel.appendChild(t);
    return t.querySelector("tbody");
  }

  function paintNotes(row, d) {
    var holder = row.querySelector(".hit-notes");
    if (!holder) { return; }
    holder.textContent = "";
    (d.notes || []).forEach(function (text) {
      var note = document.createElement("span");
      note.className = "hit-note"; note.textContent = text;
      holder.appendChild(note);
    });
    row.classList.toggle("state-mismatch", !!d.state_mismatch);
  }

  RTCC.live.onEvent(function (event) {
    var d = event.data || {};
    if (event.kind === "hit.revised") {
      var revised = panel.querySelector('tr[data-hit="' + d.hit_id + '"]');
      if (revised) { paintNotes(revised, d); }
      return;
    }
    if (event.kind === "hit.withdrawn") {
      var gone = panel.querySelector('tr[data-hit="' + d.hit_id + '"]');
      if (!gone) { return; }
      gone.classList.remove("hit-flash");
      gone.classList.add("hit-withdrawn", "muted");
      gone.dataset.status = "withdrawn";
      var review = gone.lastElementChild;
      review.textContent = "";
      var mark = document.createElement("span");
      mark.className = "badge";
      mark.textContent = d.status_label || "Withdrawn";
      review.appendChild(mark);
      var why = document.createElement("span");
      why.className = "small"; why.textContent = " " + (d.reason || "");
      review.appendChild(why);
      return;
    }
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
    tr.appendChild(cell(RTCC.formatTime(event.created_at)));
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
    var notes = document.createElement("span");
    notes.className = "hit-notes";
    plate.appendChild(notes);
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
    paintNotes(tr, d);
    body.insertBefore(tr, body.firstChild);
    while (body.children.length > 15) { body.removeChild(body.lastChild); }
    if (RTCC.cameraMap && d.lat != null) { RTCC.cameraMap.pulse(d.lat, d.lon, d.plate + " – " + d.hotlist); }
  });
})();
