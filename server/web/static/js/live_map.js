// Live map for the dashboards: Leaflet markers moved by Socket.IO "position" events (haul.js splits
// the server's "positions" batches into them).
// The socket authenticates with the session cookie; the server puts it in its organisation's room
// (a carrier's fleet) and lets it join the rooms of the loads listed in the map's data-loads.
// data-vehicles gives the first paint (plate, load, last position); data-tiles the tile server
// (empty: no tiles, e.g. offline). The truck table beside the map is kept in step for keyboards
// and screen readers.
(function () {
  "use strict";
  var COLOURS = ["#12355b", "#a4161a", "#1f7a3a", "#9a5b00", "#6a4c93", "#1982c4"];

  function fmtTime(iso) {
    if (!iso) { return "–"; }
    var d = new Date(iso);
    if (isNaN(d.getTime())) { return iso; }
    return d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }

  function start(element) {
    if (!element || typeof L === "undefined") { return null; }
    var map = L.map(element, { keyboard: true }).setView([51.2, 7.5], 7);
    var tiles = element.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 18, attribution: "&copy; OpenStreetMap contributors" }).addTo(map);
    }
    var markers = {}, labels = {}, routes = [];
    var state = { map: map, markers: markers, positions: 0, routes: routes };
    window.HaulLiveMapState = state;
    var fitted = false;

    JSON.parse(element.getAttribute("data-vehicles") || "[]").forEach(function (v) {
      labels[String(v.vehicle_id)] = (v.plate || v.vehicle_id) + (v.reference ? " · " + v.reference : "");
      if (v.position) { place(v.position, true); }
    });

    function place(p, initial) {
      if (typeof p.lat !== "number" || typeof p.lon !== "number") { return; }
      var key = String(p.vehicle_id);
      var label = labels[key] || ("#" + key);
      if (!markers[key]) {
        markers[key] = L.marker([p.lat, p.lon], { title: label, alt: label, keyboard: true }).addTo(map).bindPopup(label);
      } else {
        markers[key].setLatLng([p.lat, p.lon]);
      }
      var el = markers[key].getElement();
      if (el) { el.setAttribute("data-vehicle-id", key); }
      if (!initial) { state.positions += 1; }
      element.setAttribute("data-last-position", JSON.stringify({ vehicle_id: key, lat: p.lat, lon: p.lon }));
      var row = document.querySelector('[data-vehicle-row="' + key + '"]');
      if (row) {
        row.querySelector('[data-field="position"]').textContent = p.lat.toFixed(4) + ", " + p.lon.toFixed(4);
        if (p.eta) { row.querySelector('[data-field="eta"]').textContent = fmtTime(p.eta); }
      }
      if (p.eta) {
        document.querySelectorAll('[data-eta-for-vehicle="' + key + '"]').forEach(function (cell) { cell.textContent = fmtTime(p.eta); });
      }
      if (!fitted) { map.setView([p.lat, p.lon], 9); fitted = true; }
    }

    function drawRoutes(lines) {
      routes.forEach(function (layer) { map.removeLayer(layer); });
      routes.length = 0;
      var bounds = [];
      (lines || []).forEach(function (line, k) {
        if (!line || line.length < 2) { return; }
        routes.push(L.polyline(line, { color: COLOURS[k % COLOURS.length], weight: 4, opacity: 0.8 }).addTo(map));
        bounds = bounds.concat(line);
      });
      if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20] }); }
    }
    state.drawRoutes = drawRoutes;

    if (window.Haul) {
      var loads = JSON.parse(element.getAttribute("data-loads") || "[]");
      var token = element.getAttribute("data-tracking-token");
      window.Haul.on("_connect", function () {
        var socket = window.Haul.connect();
        if (token) {  // the public tracking page: no login, the link's token opens its room
          socket.emit("join", { tracking_token: token }, function (ack) {
            if (ack && ack.ok && ack.snapshot && ack.snapshot.position) { place(ack.snapshot.position, true); }
          });
        }
        loads.forEach(function (loadId) {
          socket.emit("join", { load_id: loadId }, function (ack) {
            if (ack && ack.ok && ack.snapshot && ack.snapshot.position) { place(ack.snapshot.position, true); }
          });
        });
      });
      window.Haul.on("position", function (p) { place(p, false); });
    }
    return state;
  }

  function boot() {
    var element = document.querySelector("[data-map]");
    if (element) { window.HaulLiveMap.state = start(element); }
  }
  window.HaulLiveMap = { start: start };
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", boot); } else { boot(); }
})();
