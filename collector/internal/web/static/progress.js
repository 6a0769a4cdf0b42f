// Live scan progress: follows the scan's server-sent events and updates the table in place.
// Without JavaScript the page reloads itself instead (a <noscript> refresh).
(function () {
  "use strict";
  var root = document.getElementById("scan");
  if (!root || !window.EventSource) { return; }
  document.documentElement.className += " js";
  var stateLine = document.getElementById("scan-state");
  var rows = {};
  root.querySelectorAll("tr[data-device]").forEach(function (tr) { rows[tr.dataset.device] = tr; });
  function cell(tr, col) { return tr.querySelector('[data-col="' + col + '"]'); }
  function badge(state) {
    var s = document.createElement("span");
    s.className = "badge " + state;
    s.textContent = state;
    return s;
  }
  function recount() {
    var counts = {};
    Object.keys(rows).forEach(function (d) {
      var st = rows[d].dataset.state || cell(rows[d], "state").textContent.trim();
      counts[st] = (counts[st] || 0) + 1;
    });
    root.querySelectorAll("[data-count]").forEach(function (el) { el.textContent = counts[el.dataset.count] || 0; });
  }
  var es = new EventSource(root.dataset.events);
  es.addEventListener("progress", function (ev) {
    var p = JSON.parse(ev.data);
    var tr = rows[p.device];
    if (!tr) { return; }
    tr.dataset.state = p.state;
    var st = cell(tr, "state");
    st.replaceChildren(badge(p.state));
    if (p.state === "matched") {
      cell(tr, "findings").textContent = p.findings;
      cell(tr, "failing").textContent = p.failing;
    }
    cell(tr, "error").textContent = p.error || "";
    recount();
    stateLine.textContent = "The scan is running: " + p.device + " is " + p.state + ".";
  });
  es.addEventListener("done", function () {
    es.close();
    stateLine.textContent = "The scan has finished. The results are in the assessment's history.";
  });
  es.onerror = function () {
    if (es.readyState === EventSource.CLOSED) {
      stateLine.textContent = "Live progress stopped: reload the page to see the scan's state.";
    } else {
      stateLine.textContent = "Connection to the collector lost: reconnecting…";
    }
  };
})();
