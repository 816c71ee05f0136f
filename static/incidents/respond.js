// The responder's page: dispatches pushed live with a sound, a vibration and a browser notification (where the
// responder allowed them), cards kept current, acknowledgement without a reload. RTCC.live keeps the websocket open,
// reconnects by itself and replays every event missed meanwhile, so each of those reaches the handlers below.
(function () {
  "use strict";
  const cards = document.getElementById("dispatch-cards");
  if (!cards || !RTCC.live) { return; }
  const empty = document.getElementById("no-dispatches");
  const banner = document.getElementById("alert-banner");
  const enable = document.getElementById("enable-alerts");

  function alertsReady() {
    const notify = !("Notification" in window) || Notification.permission !== "default";
    return RTCC.sound.ready() && notify;
  }
  function updateButton() { if (enable) { enable.hidden = alertsReady(); } }
  // `times` short high beeps, urgent for a new dispatch.
  function beep(times) {
    const tones = [];
    for (let i = 0; i < times; i += 1) { tones.push(i % 2 ? 880 : 1320); }
    RTCC.sound.play(tones, 0.35);
  }
  if (enable) {
    enable.addEventListener("click", () => {
      if (RTCC.sound.unlock()) { beep(1); }
      if ("Notification" in window && Notification.permission === "default") {
        Notification.requestPermission().then(updateButton);
      }
      updateButton();
    });
  }

  function notify(event) {
    if (banner) { banner.textContent = event.summary; banner.hidden = false; }
    if (navigator.vibrate) { navigator.vibrate([300, 120, 300, 120, 600]); }
    if ("Notification" in window && Notification.permission === "granted") {
      try {
        const n = new Notification(event.summary, { tag: "rtcc-dispatch-" + (event.data || {}).dispatch_id, requireInteraction: true });
        n.onclick = () => { window.focus(); n.close(); };
      } catch (e) { /* some phones only allow notifications from a service worker; the sound and banner remain */ }
    }
  }

  function showCard(id, html) {
    const holder = document.createElement("div");
    holder.innerHTML = html.trim();
    const fresh = holder.firstElementChild;
    if (!fresh) { return; }
    const old = document.getElementById("dispatch-" + id);
    if (old) { old.replaceWith(fresh); } else { cards.insertBefore(fresh, cards.firstChild); }
    fresh.classList.add("flash");
    if (empty) { empty.hidden = true; }
  }

  function loadCard(id) {
    return fetch(RTCC.url(cards, "card", id), { credentials: "same-origin" })
      .then((r) => { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.text(); })
      .then((html) => showCard(id, html))
      .catch((e) => console.error("could not load dispatch " + id, e));
  }

  RTCC.live.onEvent((event) => {
    const d = event.data || {};
    if (!d.dispatch_id) { return; }
    const urgent = event.kind === "dispatch.created" || event.kind === "dispatch.escalated";
    if (urgent) { beep(event.kind === "dispatch.created" ? 3 : 5); notify(event); }
    else if (event.kind !== "dispatch.acknowledged") { beep(1); }
    loadCard(d.dispatch_id);
  });

  // Acknowledge without leaving the page (the form still works without JavaScript).
  cards.addEventListener("submit", (e) => {
    const form = e.target;
    if (!form.classList.contains("ack-form")) { return; }
    e.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    button.textContent = "Sending…";
    RTCC.fetchJSON(form.action, { body: new FormData(form) })
      .then((data) => {
        showCard(form.closest(".dispatch-card").getAttribute("data-dispatch"), data.html);
        if (banner) { banner.hidden = true; }
      })
      .catch(() => { button.disabled = false; button.textContent = "Acknowledge (retry – not sent)"; });
  });

  // Camera pictures near each incident: the latest frame every 10 seconds.
  setInterval(() => {
    cards.querySelectorAll("img.live-thumb").forEach((img) => {
      const next = new Image();
      next.onload = () => { img.src = next.src; img.classList.remove("missing"); };
      next.src = img.src.split("?")[0] + "?t=" + Date.now();
    });
  }, 10000);
  updateButton();
})();
