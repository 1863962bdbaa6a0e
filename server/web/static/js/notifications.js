// The notification bell on every dashboard: the unread count, the latest notifications in the
// reader's language with a link to each object, mark one or all read. It fetches
// /api/v1/notifications (words come from the server, in the page's language) and fetches again
// whenever the Socket.IO event "notification" arrives for the organisation.
(function () {
  "use strict";
  var LIMIT = 15;

  function el(id) { return document.getElementById(id); }

  function call(method, url) {
    return fetch(url, { method: method, credentials: "same-origin",
                        headers: { "Accept": "application/json", "X-Requested-With": "haul-dashboard" } })
      .then(function (r) { return r.ok ? r.json() : null; });
  }

  function render(page) {
    if (!page) { return; }
    var count = el("bell-count"), list = el("bell-list"), empty = el("bell-empty");
    count.textContent = String(page.unread);
    count.hidden = page.unread === 0;
    el("bell-button").setAttribute("data-unread", String(page.unread));
    list.innerHTML = "";
    empty.hidden = page.items.length > 0;
    page.items.forEach(function (note) {
      var li = document.createElement("li");
      li.className = note.read_at ? "read" : "unread";
      li.setAttribute("data-kind", note.kind);
      li.setAttribute("data-id", String(note.id));
      var target = note.url ? document.createElement("a") : document.createElement("span");
      if (note.url) { target.href = note.url; }
      target.textContent = note.title;
      target.addEventListener("click", function () { if (!note.read_at) { call("POST", "/api/v1/notifications/" + note.id + "/read"); } });
      var time = document.createElement("time");
      time.dateTime = note.created_at;
      time.textContent = note.created_at.slice(0, 16).replace("T", " ") + " UTC";
      li.appendChild(target);
      li.appendChild(time);
      if (!note.read_at) {
        var mark = document.createElement("button");
        mark.type = "button";
        mark.className = "mark-read";
        mark.textContent = el("bell").getAttribute("data-mark-read");
        mark.addEventListener("click", function () { call("POST", "/api/v1/notifications/" + note.id + "/read").then(load); });
        li.appendChild(mark);
      }
      list.appendChild(li);
    });
  }

  var timer = null;
  function load() { return call("GET", "/api/v1/notifications?limit=" + LIMIT).then(render); }
  function loadSoon() { clearTimeout(timer); timer = setTimeout(load, 100); }

  function start() {
    var bell = el("bell");
    if (!bell) { return; }
    var button = el("bell-button"), panel = el("bell-panel");
    button.addEventListener("click", function () {
      var open = panel.hidden;
      panel.hidden = !open;
      button.setAttribute("aria-expanded", String(open));
      if (open) { load(); }
    });
    el("bell-read-all").addEventListener("click", function () { call("POST", "/api/v1/notifications/read-all").then(load); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !panel.hidden) { panel.hidden = true; button.setAttribute("aria-expanded", "false"); button.focus(); }
    });
    if (window.Haul) { window.Haul.on("notification", loadSoon); window.Haul.on("_connect", loadSoon); }
    load();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
