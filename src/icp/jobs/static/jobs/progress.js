// Updates a running job's progress from its progress.json every few seconds; reloads once it ends
// (so the outcome and any download link appear). A static file: the site allows no inline script.
(function () {
  "use strict";
  var job = document.getElementById("job");
  if (!job || job.dataset.finished === "true") {
    return;
  }
  var bar = document.getElementById("job-progress");
  var percent = job.querySelector("[data-job-percent]");
  var step = job.querySelector("[data-job-step]");
  function poll() {
    fetch(job.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        if (state.finished) { window.location.reload(); return; }
        bar.value = state.progress;
        bar.textContent = state.progress + "%";
        percent.textContent = state.progress + "%";
        if (step.textContent !== state.step) { step.textContent = state.step; }
        window.setTimeout(poll, 3000);
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 2000);
})();
