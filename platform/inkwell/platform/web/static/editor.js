// The post editor: live preview in a sandboxed iframe, draft autosave, a copy of
// every field in this browser until a save succeeds, the conflict view when
// someone else saved first, and who else has the post open (a heartbeat).
(() => {
  "use strict";
  const form = document.getElementById("post-form");
  if (!form) return;
  const fields = ["title", "tags", "excerpt", "body_md"].map((name) => form.elements[name]);
  const body = form.elements.body_md;
  const frame = document.getElementById("preview");
  const status = document.getElementById("autosave-status");
  const presenceList = document.getElementById("presence");
  const token = form.elements.csrf_token.value;
  const styles = JSON.parse(form.dataset.styles);
  let autosaveUrl = form.dataset.autosaveUrl;
  let presenceUrl = form.dataset.presenceUrl;
  // One browser copy per post ("new" until the first autosave gives it an id).
  const backupFor = (id) => `${form.dataset.backupPrefix}:${id}`;
  let backupKey = backupFor(form.dataset.postId);
  let dirty = false;
  // After a conflict, autosave waits for the writer to merge and press Save.
  let conflicted = document.getElementById("conflict") !== null;
  let saving = null; // the autosave request under way, if any
  let previewTimer;

  async function send(url, payload, options = {}) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(payload),
      ...options,
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(data.error || `The server answered ${response.status}.`);
      error.status = response.status;
      error.data = data;
      throw error;
    }
    return data;
  }

  // The browser's copy: every field, so a restore puts back all of them.
  const current = () => Object.fromEntries(fields.map((field) => [field.name, field.value]));
  const sameAsForm = (copy) => fields.every((field) => (copy[field.name] ?? "") === field.value);
  const keepCopy = () => localStorage.setItem(backupKey, JSON.stringify(current()));

  function readCopy() {
    const stored = localStorage.getItem(backupKey);
    if (stored === null) return null;
    try {
      const copy = JSON.parse(stored);
      if (copy && typeof copy === "object") return copy;
    } catch {}
    return { body_md: stored }; // a copy kept before copies held every field
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

  function showConflict(data) {
    const slot = document.getElementById("conflict-slot");
    slot.innerHTML = data.conflict_html;
    form.elements.base_revision.value = data.conflict.revision;
    conflicted = true;
    status.textContent = "Not saved: someone else saved this post meanwhile (see above). "
      + "Autosave waits until you save the merged text.";
  }

  function saved(data, payload) {
    form.elements.base_revision.value = data.revision;
    const sentCopyAt = backupKey;
    backupKey = backupFor(data.id);
    if (sentCopyAt !== backupKey) localStorage.removeItem(sentCopyAt);
    // Text typed while the request was out is not on the server yet: keep its copy.
    if (sameAsForm(payload)) localStorage.removeItem(backupKey);
    else keepCopy();
    autosaveUrl = data.autosave_url;
    form.action = data.edit_url;
    history.replaceState(null, "", data.edit_url);
    if (!presenceUrl) {
      presenceUrl = data.presence_url;
      heartbeat();
    }
    status.textContent = `Draft saved at ${data.saved_at_text}.`; // on the blog's clocks
  }

  function autosave() {
    if (!dirty || conflicted || saving || form.elements.status.value !== "draft") return;
    if (!form.elements.title.value.trim()) {
      status.textContent = "Add a title to save the draft.";
      return;
    }
    dirty = false;
    const payload = Object.fromEntries(new FormData(form));
    delete payload.csrf_token;
    saving = send(autosaveUrl, payload)
      .then((data) => saved(data, payload))
      .catch((error) => {
        if (error.data && error.data.conflict) return showConflict(error.data);
        // Try again in a few seconds, but not a text refused as too large (413): the
        // same megabytes would be refused again; the next edit tries.
        dirty = dirty || error.status !== 413;
        status.textContent = `${error.message} Your text is still here and in this browser.`;
      })
      .finally(() => { saving = null; });
  }

  function offerRestore() {
    const copy = readCopy();
    if (copy === null) return;
    if (sameAsForm(copy)) {
      // The server holds this text: the copy may go. Not so on a page that sends
      // back a refused save (invalid, over quota, a conflict): it was not saved.
      if ("showsStored" in form.dataset) localStorage.removeItem(backupKey);
      return;
    }
    const offer = document.getElementById("restore");
    offer.hidden = false;
    document.getElementById("restore-button").addEventListener("click", () => {
      for (const field of fields) if (typeof copy[field.name] === "string") field.value = copy[field.name];
      offer.hidden = true;
      dirty = true;
      keepCopy();
      schedulePreview();
    });
  }

  // Presence: a random name for this tab, a heartbeat every 20 s while the page is
  // open, and a last one saying it left (keepalive: it outlives the page).
  const tab = Array.from(crypto.getRandomValues(new Uint8Array(16)),
    (byte) => byte.toString(16).padStart(2, "0")).join("");

  function heartbeat(leaving = false) {
    if (!presenceUrl) return;
    const payload = leaving ? { tab, leaving: "1" } : { tab };
    send(presenceUrl, payload, leaving ? { keepalive: true } : {})
      .then((data) => {
        if (leaving) return;
        presenceList.innerHTML = data.html;
        presenceList.hidden = data.others.length === 0;
      })
      .catch(() => {}); // presence only informs; the next beat tries again
  }

  form.addEventListener("input", () => {
    dirty = true;
    keepCopy();
    schedulePreview();
  });
  // A Save pressed while an autosave is out waits for it, so the form carries the
  // revision that autosave made and does not conflict with its own tab.
  form.addEventListener("submit", (event) => {
    if (!saving) return;
    event.preventDefault();
    // Unless that autosave met a conflict: then the writer merges first.
    saving.finally(() => { if (!conflicted) form.requestSubmit(); });
  });
  window.addEventListener("pagehide", () => heartbeat(true));
  window.addEventListener("pageshow", (event) => { if (event.persisted) heartbeat(); });

  offerRestore();
  setInterval(autosave, 5000);
  setInterval(heartbeat, 20000);
  heartbeat();
  schedulePreview();
})();
