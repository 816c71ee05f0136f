// The dashboard's plate-hit panel: new hits appear at the top as they are pushed.
(function () {
  "use strict";
  var panel = document.getElementById("hits-panel");
  if (!panel || !window.rtccLive) { return; }
  function cell(text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) { td.className = cls; }
    return td;
  }
  window.rtccLive.onEvent(function (event) {
    if (event.kind !== "hit.created") { return; }
    var d = event.data || {};
    var body = panel.querySelector("tbody");
    if (!body) {
      panel.querySelector(".empty") && panel.querySelector(".empty").remove();
      var table = document.createElement("table");
      table.className = "table";
      table.innerHTML = "<thead><tr><th>Time</th><th>Plate</th><th>Hotlist</th><th>Camera</th><th>Match</th></tr></thead><tbody></tbody>";
      panel.appendChild(table);
      body = table.querySelector("tbody");
    }
    var row = document.createElement("tr");
    row.className = "event new sev-" + event.severity;
    var when = new Date(d.read_at || event.created_at);
    row.appendChild(cell(when.toTimeString().slice(0, 8)));
    row.appendChild(cell(d.plate, "plate"));
    row.appendChild(cell(d.hotlist));
    row.appendChild(cell(d.camera));
    row.appendChild(cell(d.match_kind));
    body.insertBefore(row, body.firstChild);
    while (body.children.length > 10) { body.removeChild(body.lastChild); }
  });
})();
