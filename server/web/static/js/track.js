// The public page's own words: new timeline entries and the status, from the tracking room's events,
// with the rules of server/tracking/load_state.py: each fact once, no ETA once the truck is at delivery.
// (A file, not an inline script: the pages' Content-Security-Policy runs scripts from this site only.)
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  if (!window.Haul) { return; }
  var words = JSON.parse(document.getElementById("track-words").textContent);
  var arrived = document.getElementById("track").getAttribute("data-stage") === "at_delivery", delivered = false;
  function text(id, value) { var el = document.getElementById(id); if (el) { el.textContent = value; } }
  function noMoreEta() {
    var eta = document.getElementById("track-eta");
    if (eta) { eta.removeAttribute("data-eta-for-vehicle"); eta.textContent = "\u2013"; }
  }
  Haul.on("position", function (p) {
    if (typeof p.lat !== "number") { return; }
    text("track-position", p.lat.toFixed(5) + ", " + p.lon.toFixed(5) + " (" + p.time + ")");
  });
  var etaCell = document.getElementById("track-eta");
  var etaSite = etaCell ? etaCell.getAttribute("data-eta-site") : "";  // a stop-bound link: the ETA to its stop
  Haul.on("event", function (e) {
    var data = e.data || {};
    // A stop's proof on a whole-load page is one stop done; the load goes on (a link of that stop gets it as final).
    var oneStop = data.stop_id !== undefined && data.stop_id !== null && !e.final;
    if (e.kind === "arrived_delivery") { arrived = true; noMoreEta(); text("track-status", words.status.at_delivery); }
    if (e.kind === "eta_changed" && (arrived || !data.eta)) { return; }
    if (e.kind === "eta_changed" && etaSite && String(e.site_id) === etaSite) { text("track-eta", data.eta); }
    if (e.kind === "status_changed" && data.status === "delivered" && delivered) { return; }
    if ((e.kind === "delivered" && !oneStop) || (e.kind === "status_changed" && data.status === "delivered")) { delivered = true; }
    var list = document.getElementById("track-timeline");
    var empty = list.querySelector(".empty"); if (empty) { empty.remove(); }
    var item = document.createElement("li"), label = words.event[e.kind] || e.kind;
    if (e.kind === "status_changed" && data.status) { label += ": " + (words.status[data.status] || data.status); }
    if (e.kind === "eta_changed") { label += ": " + data.eta; }
    item.textContent = e.time + " " + label;
    list.appendChild(item);
    if (e.kind === "status_changed" && data.status && !(arrived && data.status === "in_transit")) {
      text("track-status", words.status[data.status] || data.status);
    }
    if (e.final && e.kind === "delivered") { text("track-status", words.status.delivered); }
    if (e.final || delivered) { noMoreEta(); }  // delivered: no more ETA
  });
});
