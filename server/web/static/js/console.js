// The gate and dock console (server/web/console.py): read a pickup pass from the camera, from a
// picture or from the keyboard, show what the buyer authorized or why the truck is refused, check it
// in, and send "loaded" with its weigh ticket, seal and sample. The truck board is a live fragment
// (haul.js); its one-tap forms are ordinary data-api forms.
(function () {
  "use strict";
  var root = document.querySelector(".console");
  if (!root) { return; }
  var siteId = root.getAttribute("data-site-id");
  var conf = JSON.parse(document.getElementById("console-strings").textContent);
  var board = document.getElementById("console-board");
  var result = document.getElementById("pass-result");
  var video = document.getElementById("scan-video");
  var canvas = document.getElementById("scan-canvas");
  var stream = null;

  function s(key) { return conf.text[key] || key; }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function refreshBoard() { if (window.Haul) { window.Haul.refresh(board); } }

  function refusal(problem, status) {
    problem = problem || {};
    var text = conf.refusals[problem.reason] || problem.detail || problem.title || String(status);
    result.innerHTML = "";
    var box = el("div", { "class": "pass bad", "data-reason": problem.reason || "" });
    box.appendChild(el("span", {}, "✗ " + s("refused") + " " + text));
    result.appendChild(box);
  }

  function shown(pass) {
    result.innerHTML = "";
    var box = el("div", { "class": "pass ok", "data-load-id": pass.load_id });
    box.appendChild(el("strong", {}, "✓ " + s("authorized")));
    var dl = el("dl");
    [["load", pass.reference + " · " + Math.round(pass.weight_kg) + " kg"], ["carrier", pass.carrier_name],
     ["driver", pass.driver_name || "–"], ["plate", pass.plate],
     ["valid_until", new Date(pass.expires_at).toLocaleString(document.documentElement.lang,
       { timeZone: root.getAttribute("data-timezone") || undefined, month: "2-digit", day: "2-digit",
         hour: "2-digit", minute: "2-digit", timeZoneName: "short" })]
    ].forEach(function (row) { dl.appendChild(el("dt", {}, s(row[0]))); dl.appendChild(el("dd", {}, row[1])); });
    box.appendChild(dl);
    if (pass.visit_status && ["arrived", "called", "loading", "loaded"].indexOf(pass.visit_status) >= 0) {
      box.appendChild(el("p", {}, s("already") + " " + (conf.statuses[pass.visit_status] || pass.visit_status)));
    }
    var button = el("button", { type: "button", "class": "big primary", id: "check-in" },
                    s("check_in_as").replace("{plate}", pass.plate));
    button.addEventListener("click", function () { checkIn(pass, button); });
    box.appendChild(button);
    box.appendChild(el("span", { "class": "form-status", id: "check-in-status", role: "status" }));
    result.appendChild(box);
    button.focus();
  }

  function checkIn(pass, button) {
    button.disabled = true;  // one tap is one check-in; the server also makes a second one harmless
    window.Haul.api("POST", "/api/v1/sites/" + siteId + "/gate/checkin", { token: pass.token, plate: pass.plate })
      .then(function (res) {
        button.disabled = false;
        if (!res.ok) { refusal(res.data, res.status); return; }
        var status = document.getElementById("check-in-status");
        status.textContent = s("checked_in"); status.className = "form-status ok";
        refreshBoard();
      });
  }

  function readPass(text) {
    text = (text || "").trim();
    if (!text) { return; }
    stopCamera();
    document.getElementById("pass-text").value = "";  // the next truck starts from an empty field
    result.textContent = s("checking");
    // A token is long and dotted (itsdangerous); anything else is a plate.
    var body = text.length > 20 && text.indexOf(".") >= 0 ? { token: text } : { plate: text };
    window.Haul.api("POST", "/api/v1/sites/" + siteId + "/gate/scan", body).then(function (res) {
      if (res.ok) { shown(res.data); } else { refusal(res.data, res.status); }
    });
  }

  function decode(source, width, height) {
    canvas.width = width; canvas.height = height;
    var ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(source, 0, 0, width, height);
    var image = ctx.getImageData(0, 0, width, height);
    var code = window.jsQR ? window.jsQR(image.data, width, height, { inversionAttempts: "attemptBoth" }) : null;
    return code ? code.data : null;
  }

  function stopCamera() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.hidden = true;
  }

  function tick() {
    if (!stream) { return; }
    if (video.readyState >= 2 && video.videoWidth) {
      var text = decode(video, video.videoWidth, video.videoHeight);
      if (text) { readPass(text); return; }
    }
    requestAnimationFrame(tick);
  }

  document.getElementById("scan-camera").addEventListener("click", function () {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { result.textContent = s("no_camera"); return; }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (media) {
      stream = media; video.srcObject = media; video.hidden = false;
      result.textContent = s("scanning");
      video.play(); requestAnimationFrame(tick);
    }, function () { result.textContent = s("no_camera"); });
  });

  document.getElementById("scan-image").addEventListener("change", function (event) {
    var file = event.target.files && event.target.files[0];
    if (!file) { return; }
    var img = new Image();
    img.onload = function () {
      var text = decode(img, img.naturalWidth, img.naturalHeight);
      URL.revokeObjectURL(img.src);
      event.target.value = "";
      if (text) { readPass(text); } else { result.textContent = s("no_code"); }
    };
    img.src = URL.createObjectURL(file);
  });

  // The console at the gate is open all day: once a minute it asks the server to mark overdue booked trucks
  // as no-shows (the rule and its grace are the server's), which frees their docks on every page.
  setInterval(function () { window.Haul.api("POST", "/api/v1/sites/" + siteId + "/no-shows", {}); }, 60000);

  document.getElementById("pass-form").addEventListener("submit", function (event) {
    event.preventDefault();
    readPass(document.getElementById("pass-text").value);
  });

  // "Loaded": the weigh ticket, seal and sample typed go into the load's evidence chain first, then
  // the visit moves on; a refusal of either is shown and nothing further is sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("evidence-form")) { return; }
    event.preventDefault();
    var loadId = form.getAttribute("data-load-id"), visitId = form.getAttribute("data-visit-id");
    var value = function (name) { var f = form.querySelector('[name="' + name + '"]'); return f ? f.value.trim() : ""; };
    var items = [];
    if (value("tare_kg") && value("gross_kg")) {
      items.push({ kind: "weigh_ticket", payload: { tare_kg: parseFloat(value("tare_kg")), gross_kg: parseFloat(value("gross_kg")) } });
    }
    if (value("seal_number")) { items.push({ kind: "seal", payload: { seal_number: value("seal_number") } }); }
    if (value("sample_id")) { items.push({ kind: "sample", payload: { sample_id: value("sample_id") } }); }
    var status = document.getElementById(form.id + "-status");
    var button = form.querySelector('[type="submit"]');
    button.disabled = true;
    status.textContent = window.Haul.t("saving"); status.className = "form-status ok";
    var fail = function (res) {
      button.disabled = false;
      var problem = res.data || {};
      status.textContent = window.Haul.t("failed") + " " + (conf.refusals[problem.reason] || problem.detail || res.status);
      status.className = "form-status bad";
      return Promise.reject(res);
    };
    var chain = Promise.resolve();
    items.forEach(function (item) {
      chain = chain.then(function () {
        return window.Haul.api("POST", "/api/v1/loads/" + loadId + "/evidence",
                               Object.assign({ device_id: "gate-console" }, item))
          .then(function (res) { return res.ok ? res : fail(res); });
      });
    });
    chain.then(function () {
      return window.Haul.api("POST", "/api/v1/yard/visits/" + visitId + "/transition", { to: "loaded" })
        .then(function (res) { return res.ok ? res : fail(res); });
    }).then(function () { refreshBoard(); }, function () {});
  });
})();
