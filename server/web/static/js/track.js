// The public page's own words: new timeline entries and the status, from the tracking room's events.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  if (!window.Haul) { return; }
  function text(id, value) { document.getElementById(id).textContent = value; }
  Haul.on("position", function (p) {
    if (typeof p.lat !== "number") { return; }
    text("track-position", p.lat.toFixed(5) + ", " + p.lon.toFixed(5) + " (" + p.time + ")");
  });
  Haul.on("event", function (e) {
    var list = document.getElementById("track-timeline");
    var empty = list.querySelector(".empty"); if (empty) { empty.remove(); }
    var item = document.createElement("li");
    item.textContent = e.time + " " + e.kind + (e.data && e.data.status ? ": " + e.data.status : "");
    list.appendChild(item);
    if (e.kind === "status_changed" && e.data) { text("track-status", e.data.status); }
    if (e.final && document.getElementById("track-eta")) { text("track-eta", "–"); }  // delivered: no more ETA
  });
});
