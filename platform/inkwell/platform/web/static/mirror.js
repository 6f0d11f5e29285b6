// The mirror page's progress bar: poll the publish state every second while a
// publish is queued (and not held by the hourly quota) or running; when it
// ends, reload to show it in the history.
(() => {
  const section = document.getElementById("publish");
  if (!section) return;
  const state = document.getElementById("publish-state");
  const bar = document.getElementById("publish-progress");
  const detail = document.getElementById("publish-detail");
  let watching = null;

  function show(data) {
    const run = data.run;
    // A publish held by the hourly quota waits minutes: no point polling for it.
    const busy = (data.queued && !data.held) || (run && run.status === "running");
    if (data.queued) state.textContent = `A publish is queued. ${data.held || ""}`;
    if (run && run.status === "running") {
      const building = run.phase !== "uploading";
      const total = building ? run.pages_total : run.uploads_total;
      const done = building ? run.pages_built : run.uploaded;
      state.textContent = building ? "Publishing: building pages…" : "Publishing: uploading…";
      bar.hidden = false;
      bar.max = Math.max(total, 1);
      bar.value = done;
      detail.textContent = `${done} of ${total} ${building ? "pages built" : "files uploaded"}` +
        (building ? "" : `, ${run.skipped} unchanged`);
    }
    if (watching !== null && !busy) window.location.reload();
    if (busy) watching = run ? run.id : 0;
    return busy;
  }

  async function poll() {
    try {
      const response = await fetch(section.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok && !show(await response.json()) && watching === null) return;
    } catch (error) {
      detail.textContent = "Lost touch with the server; retrying…";
    }
    setTimeout(poll, 1000);
  }
  poll();
})();
