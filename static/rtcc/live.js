// The live connection: one websocket per page, reconnecting by itself and
// catching up on every event after the last id it saw, so nothing is missed.
(function () {
  "use strict";
  var feed = document.getElementById("event-feed");
  var stateDot = document.getElementById("live-state");
  var statusText = document.getElementById("feed-status");
  var listeners = [];
  // Pages without a feed only show the connection state: they ask for no history.
  var lastId = feed ? parseInt(feed.getAttribute("data-last-id") || "0", 10) : null;
  var seen = {};
  var attempt = 0;
  var socket = null;

  if (feed) {
    Array.prototype.forEach.call(feed.querySelectorAll("[data-id]"), function (li) {
      seen[li.getAttribute("data-id")] = true;
    });
  }

  function setState(state, text) {
    if (stateDot) { stateDot.setAttribute("data-state", state); stateDot.title = text; }
    if (statusText) { statusText.textContent = text; }
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function render(event) {
    var li = document.createElement("li");
    li.className = "event new sev-" + event.severity;
    li.setAttribute("data-id", event.id);
    var when = new Date(event.created_at);
    var time = document.createElement("time");
    time.dateTime = event.created_at;
    time.textContent = pad(when.getHours()) + ":" + pad(when.getMinutes()) + ":" + pad(when.getSeconds());
    var kind = document.createElement("span");
    kind.className = "kind";
    kind.textContent = event.kind;
    var summary = document.createElement("span");
    summary.className = "summary";
    summary.textContent = event.summary;
    li.appendChild(time); li.appendChild(kind); li.appendChild(summary);
    return li;
  }

  function handle(event) {
    if (seen[event.id]) { return; }
    seen[event.id] = true;
    if (lastId === null || event.id > lastId) { lastId = event.id; }
    if (feed) {
      feed.insertBefore(render(event), feed.firstChild);
      while (feed.children.length > 200) { feed.removeChild(feed.lastChild); }
      var empty = document.querySelector(".feed-empty");
      if (empty) { empty.hidden = true; }
    }
    listeners.forEach(function (fn) { try { fn(event); } catch (e) { console.error(e); } });
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var query = lastId === null ? "" : "?last_id=" + lastId;
    socket = new WebSocket(scheme + location.host + "/ws/events/" + query);
    setState("connecting", attempt ? "reconnecting…" : "connecting…");
    socket.onopen = function () { attempt = 0; };
    socket.onmessage = function (msg) {
      var data;
      try { data = JSON.parse(msg.data); } catch (e) { return; }
      if (data.type === "event") { handle(data.event); }
      else if (data.type === "caught_up" || data.type === "hello") { setState("live", "live"); }
    };
    socket.onclose = function (ev) {
      if (ev.code === 1006 && attempt > 3 && !navigator.onLine) { setState("down", "offline – waiting for network"); }
      else { setState("down", "connection lost – retrying"); }
      attempt += 1;
      var delay = Math.min(15000, 500 * Math.pow(2, attempt)) * (0.75 + Math.random() * 0.5);
      setTimeout(connect, delay);
    };
  }

  window.rtccLive = {
    onEvent: function (fn) { listeners.push(fn); },
    lastId: function () { return lastId; }
  };
  connect();
})();
