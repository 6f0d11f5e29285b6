// The post editor: live preview in a sandboxed iframe, draft autosave, a copy of
// every field in this browser until a save succeeds, the conflict view when
// someone else saved first, and who else has the post open (a heartbeat).
//
// A long text (a paste of megabytes) keeps the page usable: the work a change
// costs (the copy, the count, the preview) waits until typing pauses; past
// data-live-preview-max characters the preview waits to be asked; past the
// server's limit (data-body-max, counted as the server counts) autosave and
// Save send nothing and say why, and the text stays in the form.
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
  const bodyMax = Number(form.dataset.bodyMax);
  const livePreviewMax = Number(form.dataset.livePreviewMax);
  const lengthNote = document.getElementById("body-length");
  const previewPaused = document.getElementById("preview-paused");
  let autosaveUrl = form.dataset.autosaveUrl;
  let presenceUrl = form.dataset.presenceUrl;
  // One browser copy per post ("new" until the first autosave gives it an id).
  const backupFor = (id) => `${form.dataset.backupPrefix}:${id}`;
  let backupKey = backupFor(form.dataset.postId);
  let dirty = false;
  // After a conflict, autosave waits for the writer to merge and press Save.
  let conflicted = document.getElementById("conflict") !== null;
  let saving = null; // the autosave request under way, if any
  let settleTimer = null; // the work of the last change, due once typing pauses
  let bodyLength = 0; // as the server counts it

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

  function keepCopy() {
    try {
      localStorage.setItem(backupKey, JSON.stringify(current()));
    } catch {
      // Full: browsers keep a few megabytes a site. The text is in this page only.
      status.textContent = "This browser has no room to keep a copy of this text: "
        + "save it before you leave the page.";
    }
  }

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

  function renderPreview() {
    send(form.dataset.previewUrl, { body_md: body.value })
      .then((data) => showPreview(data.html))
      .catch((error) => { status.textContent = `Preview unavailable: ${error.message}`; });
  }

  // The body's length as the server counts it (content.post_input): a line break
  // is one character however the browser sends it, controls the server drops do
  // not count, and an emoji is one character (two UTF-16 units here).
  function serverLength(text) {
    const kept = text.replace(/\r\n?|\x85/g, "\n")
      .replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]/g, "");
    const pairs = kept.match(/[\ud800-\udbff][\udc00-\udfff]/g);
    return kept.length - (pairs ? pairs.length : 0);
  }

  const number = (n) => n.toLocaleString("en"); // as the server writes numbers
  const tooLong = () => bodyLength > bodyMax;
  const overLimit = () => `The text is ${number(bodyLength)} characters long; the limit is `
    + `${number(bodyMax)}. Shorten it by ${number(bodyLength - bodyMax)} to save it.`;

  function measure() {
    bodyLength = serverLength(body.value);
    body.setAttribute("aria-invalid", String(tooLong()));
    body.spellcheck = bodyLength <= livePreviewMax; // checking megabytes slows every key
    lengthNote.hidden = bodyLength < bodyMax * 0.9;
    lengthNote.classList.toggle("error", tooLong());
    lengthNote.textContent = tooLong() ? overLimit()
      : `${number(bodyLength)} of ${number(bodyMax)} characters.`;
  }

  function livePreview() {
    const paused = bodyLength > livePreviewMax;
    previewPaused.hidden = !paused;
    if (!paused) renderPreview();
  }

  // What a change costs, done once typing pauses (or at once, before the text is sent).
  function settle() {
    clearTimeout(settleTimer);
    settleTimer = null;
    keepCopy();
    measure();
    livePreview();
  }

  function changed() {
    dirty = true;
    clearTimeout(settleTimer);
    settleTimer = setTimeout(settle, 300);
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
    if (settleTimer) settle();
    if (!form.elements.title.value.trim()) {
      status.textContent = "Add a title to save the draft.";
      return;
    }
    if (tooLong()) {
      status.textContent = `Not saved: ${overLimit()}`; // the next change tries again
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
      settle();
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

  form.addEventListener("input", changed);
  document.getElementById("preview-now").addEventListener("click", renderPreview);
  // A text over the limit is not sent (the server would refuse it, a long one
  // whole, with a page that has lost it): it stays here, and the writer is told.
  form.addEventListener("submit", (event) => {
    if (settleTimer) settle();
    if (!tooLong()) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    status.textContent = `Not saved: ${overLimit()}`;
  });
  // A Save pressed while an autosave is out waits for it, so the form carries the
  // revision that autosave made and does not conflict with its own tab.
  form.addEventListener("submit", (event) => {
    if (!saving) return;
    event.preventDefault();
    // Unless that autosave met a conflict: then the writer merges first.
    saving.finally(() => { if (!conflicted) form.requestSubmit(); });
  });
  window.addEventListener("pagehide", () => {
    if (settleTimer) settle(); // the last keys typed are in the copy too
    heartbeat(true);
  });
  window.addEventListener("pageshow", (event) => { if (event.persisted) heartbeat(); });

  offerRestore();
  setInterval(autosave, 5000);
  setInterval(heartbeat, 20000);
  heartbeat();
  measure();
  livePreview();
})();
