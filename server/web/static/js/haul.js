// Haul's dashboards: one Socket.IO connection per page, live sections, and forms sent to the REST API.
//
// * A section with data-fragment="URL" data-refresh-on="event names" is fetched again (as HTML from
//   /fragments/...) whenever one of those Socket.IO events arrives, and swapped in place.
// * A <form data-api="/api/v1/..."> is sent as JSON with the session cookie. Its fields' data-type
//   says how to read them (int, float, int-list, list, hours-from-now, local-time); {name} in the
//   URL is filled from the field of that name; a dotted name nests ("payload.tare_kg", "levels.0.role": a
//   digit makes an array). Field errors from the API's problem+json appear next
//   to their fields; data-then lists what to do after success ("refresh:#a,#b", "reset", "reload",
//   or the name of a handler registered with Haul.then).
// * A button with data-fill='{"form": id, field: value, ...}' fills a form and focuses it.
(function () {
  "use strict";
  var strings = {};
  try { strings = JSON.parse(document.getElementById("haul-strings").textContent); } catch (e) { strings = {}; }
  // Optional words for the API's refusal codes (a page may give them as #haul-reasons), so a refusal
  // reads in the page's language rather than as the API's English detail.
  var reasons = {};
  try { reasons = JSON.parse(document.getElementById("haul-reasons").textContent); } catch (e) { reasons = {}; }
  var handlers = {};
  var listeners = {};
  var socket = null;

  function t(key) { return strings[key] || key; }

  function liveStatus(text, online) {
    var el = document.getElementById("live-status");
    if (!el) { return; }
    el.hidden = false;
    el.textContent = text;
    el.className = "live " + (online ? "on" : "off");
  }

  function connect() {
    if (socket || typeof io === "undefined") { return socket; }
    socket = io({ transports: ["websocket", "polling"] });
    socket.on("connect", function () { liveStatus(t("online"), true); dispatch("_connect", {}); });
    socket.on("disconnect", function () { liveStatus(t("offline"), false); });
    socket.onAny(function (event, data) {
      // The server batches what a room gets within a short tick: "positions" and "events" are lists
      // of what "position" and "event" carry, so listeners see one fix or event at a time either way.
      if ((event === "positions" || event === "events") && Array.isArray(data)) {
        var single = event.slice(0, -1);
        data.forEach(function (item) { dispatch(single, item); });
        return;
      }
      dispatch(event, data);
    });
    return socket;
  }

  function dispatch(event, data) {
    (listeners[event] || []).forEach(function (fn) { try { fn(data, event); } catch (e) { console.error(e); } });
  }

  function on(event, fn) {
    (listeners[event] = listeners[event] || []).push(fn);
    connect();
  }

  // ---- live sections ----------------------------------------------------------------------------
  // A live refresh never wipes what someone is typing: a section with an edited form waits (stale)
  // until that form is sent, then refreshes.
  var pending = {};
  function refresh(el, live) {
    if (!el || !el.getAttribute("data-fragment")) { return Promise.resolve(); }
    if (live && el.hasAttribute("data-dirty")) { el.setAttribute("data-stale", "1"); return Promise.resolve(); }
    el.removeAttribute("data-dirty");
    el.removeAttribute("data-stale");
    var url = el.getAttribute("data-fragment");
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        // Someone started editing while the fragment was on its way: keep their input, refresh later.
        if (live && el.hasAttribute("data-dirty")) { el.setAttribute("data-stale", "1"); return; }
        var focusedId = document.activeElement && el.contains(document.activeElement) ? document.activeElement.id : null;
        el.innerHTML = html;
        el.setAttribute("data-refreshed", String(Date.now()));
        if (focusedId && document.getElementById(focusedId)) { document.getElementById(focusedId).focus(); }
        dispatch("_refreshed", el);
      });
  }
  function refreshSoon(el) {
    var key = el.id || el.getAttribute("data-fragment");
    clearTimeout(pending[key]);
    pending[key] = setTimeout(function () { refresh(el, true); }, 150);
  }
  function bindSections() {
    document.querySelectorAll("[data-fragment][data-refresh-on]").forEach(function (el) {
      el.getAttribute("data-refresh-on").split(/\s+/).forEach(function (event) {
        if (event && event !== "none") { on(event, function () { refreshSoon(el); }); }
      });
    });
  }

  // ---- forms ------------------------------------------------------------------------------------
  function isoHoursFromNow(hours) { return new Date(Date.now() + hours * 3600 * 1000).toISOString(); }

  function readValue(el) {
    var type = el.getAttribute("data-type") || "text";
    var raw = el.value.trim();
    if (type === "int") { return raw === "" ? undefined : parseInt(raw, 10); }
    if (type === "float") { return raw === "" ? undefined : parseFloat(raw); }
    if (type === "hours-from-now") { return raw === "" ? undefined : isoHoursFromNow(parseFloat(raw)); }
    if (type === "local-time") {
      return raw === "" ? undefined : el.getAttribute("data-day") + "T" + raw + ":00" + el.getAttribute("data-offset");
    }
    return raw === "" ? undefined : raw;
  }

  function put(body, name, value) {
    var keys = name.split("."), node = body;
    keys.slice(0, -1).forEach(function (key, i) {
      if (node[key] === undefined) { node[key] = /^\d+$/.test(keys[i + 1]) ? [] : {}; }
      node = node[key];
    });
    node[keys[keys.length - 1]] = value;
  }

  function collect(form) {
    var body = {}, path = {}, missing = [];
    // form.elements includes the controls placed elsewhere with form="id" (the order checkboxes).
    Array.prototype.slice.call(form.elements).forEach(function (el) {
      if (!el.name || el.disabled || el.type === "submit" || el.type === "button") { return; }
      var type = el.getAttribute("data-type") || "";
      if (type === "int-list" || type === "list") {
        body[el.name] = body[el.name] || [];
        if (el.checked) { body[el.name].push(type === "int-list" ? parseInt(el.value, 10) : el.value); }
        return;
      }
      if (el.type === "checkbox") { body[el.name] = el.checked; return; }
      var value = readValue(el);
      if (value === undefined && el.required) { missing.push(el.name); }
      if (el.hasAttribute("data-in-path")) { path[el.name] = value; return; }
      if (value !== undefined) { put(body, el.name, value); }
    });
    return { body: body, path: path, missing: missing };
  }

  function errorSlot(form, name) {
    return form.querySelector('[data-error-for="' + name + '"]') ||
      document.getElementById(form.id + "-" + name + "-error");
  }

  function clearErrors(form) {
    form.querySelectorAll("[data-error-for]").forEach(function (el) { el.textContent = ""; });
    document.querySelectorAll('[id^="' + form.id + '-"][id$="-error"]').forEach(function (el) { el.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }

  function showErrors(form, errors) {
    var first = null, unplaced = [];
    errors.forEach(function (err) {
      var name = String(err.path || "").split("/")[0];
      var slot = name && errorSlot(form, name);
      if (!slot) { unplaced.push(err.message); return; }
      slot.textContent = slot.textContent ? slot.textContent + " " + err.message : err.message;
      var field = form.querySelector('[name="' + name + '"]') || document.querySelector('[form="' + form.id + '"][name="' + name + '"]');
      if (field) { field.setAttribute("aria-invalid", "true"); first = first || field; }
    });
    if (first) { first.focus(); }
    return unplaced;
  }

  function status(form, text, ok) {
    var el = document.getElementById(form.id + "-status");
    if (el) { el.textContent = text; el.className = "form-status " + (ok ? "ok" : "bad"); }
  }

  // The session's CSRF token (server/auth/cross_site.py): the Origin header already shows a same-site
  // call, the token covers browsers that send none.
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');

  function api(method, url, body) {
    var options = { method: method, credentials: "same-origin",
                    headers: { "Accept": "application/json", "X-Requested-With": "haul-dashboard" } };
    if (csrfMeta) { options.headers["X-CSRF-Token"] = csrfMeta.getAttribute("content"); }
    if (body !== undefined && method !== "GET" && method !== "DELETE") {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (r) {
      return r.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { ok: r.ok, status: r.status, data: data };
      });
    });
  }

  function runThen(form, data) {
    (form.getAttribute("data-then") || "").split("|").forEach(function (step) {
      step = step.trim();
      if (!step) { return; }
      if (step === "reload") { window.location.reload(); return; }
      if (step === "reset") { form.reset(); return; }
      if (step.indexOf("refresh:") === 0) {
        step.slice(8).split(",").forEach(function (sel) { refresh(document.querySelector(sel)); });
        return;
      }
      if (handlers[step]) { handlers[step](data, form); }
    });
  }

  function submit(form) {
    clearErrors(form);
    var parts = collect(form);
    if (parts.missing.length) {
      showErrors(form, parts.missing.map(function (name) { return { path: name, message: t("required") }; }));
      status(form, t("fix_fields"), false);
      return;
    }
    if (form.hasAttribute("data-confirm") && !window.confirm(t("confirm_revoke"))) { return; }
    var url = form.getAttribute("data-api").replace(/\{(\w+)\}/g, function (_, name) {
      return encodeURIComponent(parts.path[name] === undefined ? "" : parts.path[name]);
    });
    var method = (form.getAttribute("data-method") || "POST").toUpperCase();
    var button = form.querySelector('[type="submit"]');
    if (button) { button.disabled = true; }
    status(form, t("saving"), true);
    form.setAttribute("aria-busy", "true");
    api(method, url, parts.body).then(function (res) {
      if (button) { button.disabled = false; }
      form.removeAttribute("aria-busy");
      if (res.ok) {
        status(form, t("saved"), true);
        var section = form.closest("[data-fragment]");
        if (section && section.hasAttribute("data-stale")) { refresh(section); }
        else if (section) { section.removeAttribute("data-dirty"); }
        runThen(form, res.data);
        return;
      }
      var problem = res.data || {};
      var unplaced = showErrors(form, problem.errors || []);
      var said = (problem.reason && (reasons[problem.reason] || strings["reason." + problem.reason])) ||
        problem.detail || problem.title || res.status;
      status(form, t("failed") + " " + said +
        (unplaced.length ? " " + unplaced.join(" ") : ""), false);
    }, function () {
      if (button) { button.disabled = false; }
      form.removeAttribute("aria-busy");
      status(form, t("failed") + " " + t("offline"), false);
    });
  }

  function markDirty(event) {
    var section = event.target.closest ? event.target.closest("[data-fragment]") : null;
    if (section && event.target.form) { section.setAttribute("data-dirty", "1"); }
  }
  document.addEventListener("input", markDirty);
  document.addEventListener("change", markDirty);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.hasAttribute && form.hasAttribute("data-api")) {
      event.preventDefault();
      submit(form);
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-fill]") : null;
    if (!button) { return; }
    var values = JSON.parse(button.getAttribute("data-fill"));
    var form = document.getElementById(values.form);
    if (!form) { return; }
    Object.keys(values).forEach(function (name) {
      var field = form.querySelector('[name="' + name + '"]');
      if (field && name !== "form") { field.value = values[name]; }
    });
    var focus = form.querySelector('[data-type="local-time"]') || form.querySelector("select, input");
    if (focus) { focus.focus(); }
    form.scrollIntoView({ block: "nearest" });
  });

  // ---- handlers used by several pages ------------------------------------------------------------
  handlers["pickup-qr"] = function (data) {
    var box = document.getElementById("pickup-qr");
    if (!box || !data) { return; }
    box.innerHTML = "";
    var img = document.createElement("img");
    img.src = data.qr_svg_url;
    img.alt = "QR " + data.plate;
    img.width = 200; img.height = 200;
    var p = document.createElement("p");
    p.textContent = data.caption || data.plate;
    box.appendChild(img); box.appendChild(p);
  };
  handlers["tracking-link"] = function (data) {
    var box = document.getElementById("link-result");
    if (!box || !data) { return; }
    var url = window.location.origin + data.url;
    box.innerHTML = "";
    box.appendChild(document.createTextNode(t("link_ready") + " "));
    var a = document.createElement("a");
    a.href = url; a.textContent = url; a.id = "new-link";
    box.appendChild(a);
  };
  handlers["show-token"] = function (data) {
    var box = document.getElementById("token-result");
    if (!box || !data) { return; }
    box.innerHTML = "";
    box.appendChild(document.createTextNode(t("token_once") + " "));
    var code = document.createElement("code");
    code.textContent = data.token; code.id = "new-token";
    box.appendChild(code);
  };
  handlers["plan-preview"] = function (data) {
    var box = document.getElementById("plan-preview");
    if (!box || !data) { return; }
    box.setAttribute("data-fragment", "/fragments/load-plan/" + data.id);
    refresh(box);
  };

  window.Haul = { on: on, t: t, api: api, refresh: refresh, connect: connect,
                  then: function (name, fn) { handlers[name] = fn; } };

  function start() { bindSections(); connect(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
