// The analysts' incident board list: open incidents by priority, refreshed on every incident event.
// Any page may carry it: a #board-list (data-url: the board, answering JSON). The incidents on the map are the
// layered map's "Open incidents" layer (static/maps/layer-map.js), which reloads itself on the same events.
(function () {
  "use strict";
  const list = document.getElementById("board-list");
  if (!list) { return; }
  const count = document.getElementById("board-count");

  const refresh = RTCC.debounce(() => {
    RTCC.fetchJSON(list.getAttribute("data-url"))
      .then((data) => {
        list.innerHTML = data.html;
        if (count) { count.textContent = data.count + " open"; }
      })
      .catch((e) => console.error("board refresh failed:", e.message));
  }, 150);

  if (RTCC.live) {
    RTCC.live.onEvent((event) => {
      if (event.kind.indexOf("incident.") === 0 || event.kind.indexOf("dispatch.") === 0) { refresh(); }
    });
  }
  // Catch-up after a reconnect arrives as events too; a slow timer covers anything else (e.g. a status edited in admin).
  setInterval(refresh, 60000);
})();
