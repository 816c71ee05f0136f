// The responder's page: dispatches pushed live with a sound, a vibration and a browser notification (where the
// responder allowed them), cards kept current, acknowledgement without a reload. live.js keeps the websocket open,
// reconnects by itself and replays every event missed meanwhile, so each of those reaches the handlers below.
(function () {
  "use strict";
  var cards = document.getElementById("dispatch-cards");
  if (!cards || !window.rtccLive) { return; }
  var cardUrl = cards.getAttribute("data-card-url");
  var empty = document.getElementById("no-dispatches");
  var banner = document.getElementById("alert-banner");
  var enable = document.getElementById("enable-alerts");
  var audio = null;

  function alertsReady() {
    var notify = !("Notification" in window) || Notification.permission !== "default";
    return audio !== null && notify;
  }
  function updateButton() { if (enable) { enable.hidden = alertsReady(); } }
  if (enable) {
    enable.addEventListener("click", function () {
      try {
        audio = audio || new (window.AudioContext || window.webkitAudioContext)();
        audio.resume();
        beep(1);
      } catch (e) { console.error(e); }
      if ("Notification" in window && Notification.permission === "default") {
        Notification.requestPermission().then(updateButton);
      }
      updateButton();
    });
  }

  // A Web Audio tone: nothing to download. `times` short high beeps, urgent for a new dispatch.
  function beep(times) {
    if (!audio) { return; }
    var t = audio.currentTime;
    for (var i = 0; i < times; i += 1) {
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.type = "square";
      osc.frequency.value = i % 2 ? 880 : 1320;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.35, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.22);
      osc.connect(gain); gain.connect(audio.destination);
      osc.start(t); osc.stop(t + 0.25);
      t += 0.3;
    }
  }

  function notify(event) {
    if (banner) { banner.textContent = event.summary; banner.hidden = false; }
    if (navigator.vibrate) { navigator.vibrate([300, 120, 300, 120, 600]); }
    if ("Notification" in window && Notification.permission === "granted") {
      try {
        var n = new Notification(event.summary, { tag: "rtcc-dispatch-" + (event.data || {}).dispatch_id, requireInteraction: true });
        n.onclick = function () { window.focus(); n.close(); };
      } catch (e) { /* some phones only allow notifications from a service worker; the sound and banner remain */ }
    }
  }

  function showCard(id, html) {
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var fresh = holder.firstElementChild;
    if (!fresh) { return; }
    var old = document.getElementById("dispatch-" + id);
    if (old) { old.replaceWith(fresh); } else { cards.insertBefore(fresh, cards.firstChild); }
    fresh.classList.add("flash");
    if (empty) { empty.hidden = true; }
  }

  function loadCard(id) {
    return fetch(cardUrl.replace("/0/", "/" + id + "/"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.text(); })
      .then(function (html) { showCard(id, html); })
      .catch(function (e) { console.error("could not load dispatch " + id, e); });
  }

  window.rtccLive.onEvent(function (event) {
    var d = event.data || {};
    if (!d.dispatch_id) { return; }
    var urgent = event.kind === "dispatch.created" || event.kind === "dispatch.escalated";
    if (urgent) { beep(event.kind === "dispatch.created" ? 3 : 5); notify(event); }
    else if (event.kind !== "dispatch.acknowledged") { beep(1); }
    loadCard(d.dispatch_id);
  });

  // Acknowledge without leaving the page (the form still works without JavaScript).
  cards.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.classList.contains("ack-form")) { return; }
    e.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true; button.textContent = "Sending…";
    fetch(form.action, {
      method: "POST", credentials: "same-origin", body: new FormData(form),
      headers: { "X-Requested-With": "fetch", "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value }
    }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.text();
    }).then(function (html) {
      showCard(form.closest(".dispatch-card").getAttribute("data-dispatch"), html);
      if (banner) { banner.hidden = true; }
    }).catch(function () {
      button.disabled = false; button.textContent = "Acknowledge (retry – not sent)";
    });
  });

  // Camera pictures near each incident: the latest frame every 10 seconds.
  setInterval(function () {
    Array.prototype.forEach.call(cards.querySelectorAll("img.live-thumb"), function (img) {
      var base = img.src.split("?")[0];
      var next = new Image();
      next.onload = function () { img.src = next.src; img.classList.remove("missing"); };
      next.src = base + "?t=" + Date.now();
    });
  }, 10000);
  updateButton();
})();
