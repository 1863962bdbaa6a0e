// The carrier's "Show pairing QR code" buttons: after POST /api/v1/devices/pairings answers, show the QR
// code (the pairing link), the code to type and until when it works, and move the keyboard focus there
// so that screen readers read it out.
(function () {
  "use strict";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key] === undefined ? "" : values[key]; });
  }

  function line(className, text) {
    var p = document.createElement("p");
    p.className = className;
    p.textContent = text;
    return p;
  }

  window.Haul.then("pairing-qr", function (data, form) {
    var box = document.getElementById("pairing-result");
    if (!box || !data) { return; }
    var t = window.Haul.t;
    var name = form.getAttribute("data-driver-name") || "";
    var until = new Date(data.expires_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    box.innerHTML = "";
    var heading = document.createElement("h3");
    heading.textContent = fill(t("pair_for"), { name: name });
    var img = document.createElement("img");
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(data.qr_svg);
    img.alt = fill(t("pair_qr_alt"), { name: name });
    img.id = "pairing-qr";
    var code = line("pair-code", data.code);
    code.id = "pairing-code";
    var link = document.createElement("code");
    link.textContent = data.pair_url;
    var linkLine = line("muted link-result", t("pair_link") + " ");
    linkLine.appendChild(link);
    box.appendChild(heading);
    box.appendChild(img);
    box.appendChild(line("", t("pair_type")));
    box.appendChild(code);
    box.appendChild(line("", fill(t("pair_until"), { time: until })));
    box.appendChild(linkLine);
    box.hidden = false;
    box.focus();
    box.scrollIntoView({ block: "nearest" });
  });
})();
