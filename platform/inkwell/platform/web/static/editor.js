// The post editor: live preview in a sandboxed iframe, draft autosave, and a
// copy of the text in this browser until the server has it.
(() => {
  "use strict";
  const form = document.getElementById("post-form");
  if (!form) return;
  const body = form.elements.body_md;
  const frame = document.getElementById("preview");
  const status = document.getElementById("autosave-status");
  const token = form.elements.csrf_token.value;
  const styles = JSON.parse(form.dataset.styles);
  let autosaveUrl = form.dataset.autosaveUrl;
  // One browser copy per post ("new" until the first autosave gives it an id).
  const backupFor = (id) => `${form.dataset.backupPrefix}:${id}`;
  let backupKey = backupFor(form.dataset.postId);
  let dirty = false;
  let previewTimer;

  async function send(url, payload) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(payload),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(data.error || `The server answered ${response.status}.`);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  function showPreview(html) {
    const links = styles.map((href) => `<link rel="stylesheet" href="${href}">`).join("");
    frame.srcdoc = `<!doctype html><meta charset="utf-8">${links}<main class="body">${html}</main>`;
  }

  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(() => {
      send(form.dataset.previewUrl, { body_md: body.value })
        .then((data) => showPreview(data.html))
        .catch((error) => { status.textContent = `Preview unavailable: ${error.message}`; });
    }, 300);
  }

  function autosave() {
    if (!dirty || form.elements.status.value !== "draft") return;
    if (!form.elements.title.value.trim()) {
      status.textContent = "Add a title to save the draft.";
      return;
    }
    dirty = false;
    const payload = Object.fromEntries(new FormData(form));
    delete payload.csrf_token;
    send(autosaveUrl, payload)
      .then((data) => {
        localStorage.removeItem(backupKey);
        backupKey = backupFor(data.id);
        // Text typed while the request was out is not on the server yet: keep its copy.
        if (body.value !== payload.body_md) localStorage.setItem(backupKey, body.value);
        autosaveUrl = data.autosave_url;
        form.action = data.edit_url;
        history.replaceState(null, "", data.edit_url);
        status.textContent = `Draft saved at ${new Date(data.saved_at).toLocaleTimeString()}.`;
      })
      .catch((error) => {
        // Try again in a few seconds, but not a text refused as too large (413): the
        // same megabytes would be refused again; the next edit tries.
        dirty = dirty || error.status !== 413;
        status.textContent = `${error.message} Your text is still here and in this browser.`;
      });
  }

  const backup = localStorage.getItem(backupKey);
  if (backup !== null && backup !== body.value) {
    document.getElementById("restore").hidden = false;
    document.getElementById("restore-button").addEventListener("click", () => {
      body.value = backup;
      document.getElementById("restore").hidden = true;
      dirty = true;
      schedulePreview();
    });
  } else {
    localStorage.removeItem(backupKey);
  }

  form.addEventListener("input", () => {
    dirty = true;
    localStorage.setItem(backupKey, body.value);
    schedulePreview();
  });
  setInterval(autosave, 5000);
  schedulePreview();
})();
