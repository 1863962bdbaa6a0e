// The carrier's route planning: follow the optimisation job by its job.progress Socket.IO events
// (with a slow poll of GET /api/v1/jobs/<id> in case an event was missed), then show the routes
// and draw them on the fleet map.
(function () {
  "use strict";
  var TERMINAL = { succeeded: 1, failed: 1, cancelled: 1 };
  var current = null, poller = null;

  // The job's status and progress codes in the reader's language, rendered by the page (server/jobs/job_words.py).
  function words() {
    var box = document.getElementById("route-job");
    try { return JSON.parse(box.getAttribute("data-words") || "{}"); } catch (e) { return {}; }
  }

  function worded(job) {
    var w = words(), status = (w.status || {})[job.status] || job.status;
    var said = job.code && (w.progress || {})[job.code];
    if (said) {
      said = said.replace(/\{(\w+)\}/g, function (_, name) {
        var v = (job.values || {})[name];
        return v === undefined ? "–" : String(v);
      });
    }
    return status + (said ? " · " + said : "");
  }

  function show(job) {
    if (!current || job.job_id !== current) { return; }
    document.getElementById("route-progress").value = job.progress || 0;
    document.getElementById("route-job-status").textContent =
      Math.round(100 * (job.progress || 0)) + "% · " + worded(job);
    if (TERMINAL[job.status]) { finish(job.job_id); }
  }

  function finish(jobId) {
    if (poller) { clearInterval(poller); poller = null; }
    current = null;
    var box = document.getElementById("route-result");
    box.setAttribute("data-fragment", "/fragments/carrier/route-plan/" + jobId);
    window.Haul.refresh(box).then(function () {
      var plan = box.querySelector("[data-route-lines]");
      var state = window.HaulLiveMap && window.HaulLiveMap.state;
      if (plan && state && state.drawRoutes) { state.drawRoutes(JSON.parse(plan.getAttribute("data-route-lines"))); }
    });
  }

  window.Haul.then("route-job", function (job) {
    current = job.id;
    document.getElementById("route-job").hidden = false;
    show({ job_id: job.id, status: job.status, progress: job.progress });
    poller = setInterval(function () {
      window.Haul.api("GET", "/api/v1/jobs/" + job.id).then(function (res) {
        if (res.ok) { show({ job_id: res.data.id, status: res.data.status, progress: res.data.progress }); }
      });
    }, 3000);
  });
  window.Haul.on("job.progress", show);
})();
