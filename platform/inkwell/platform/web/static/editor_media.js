// Images in the editor: files dropped on the body, pasted into it or chosen with
// the picker upload to the blog's library (POST .../media, several at once, each
// with its progress) and land as `![alt](media:ID)` where the cursor was; the
// cover picker's upload becomes the post's cover. While a file uploads, its line
// in the body is a placeholder; a refused upload removes only that placeholder
// and shows the server's sentence, so no word of the text is lost. Every change
// to the body is announced as an `input` event, so editor.js backs it up,
// autosaves it and refreshes the preview as if it were typed.
(() => {
  "use strict";
  const form = document.getElementById("post-form");
  const list = document.getElementById("uploads");
  if (!form || !list) return;
  const body = form.elements.body_md;
  const token = form.elements.csrf_token.value;
  const uploadUrl = form.dataset.uploadUrl;
  let uploadsUnderWay = 0;
  let counter = 0;

  const changed = () => body.dispatchEvent(new Event("input", { bubbles: true }));

  // A paragraph of its own at the cursor (or in place of the selection): the text
  // inserted, blank lines around it included.
  function insertParagraph(text) {
    const start = body.selectionStart;
    const before = body.value.slice(0, start);
    const after = body.value.slice(body.selectionEnd);
    const lead = before === "" || before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
    const trail = after.startsWith("\n\n") ? "" : after.startsWith("\n") || after === "" ? "\n" : "\n\n";
    const inserted = lead + text + trail;
    body.value = before + inserted + after;
    body.setSelectionRange(start + inserted.length, start + inserted.length);
    changed();
    return inserted;
  }

  // The first `old` in the body swapped for `text`, the writer's selection kept in
  // place; false when `old` is not there any more (the writer deleted it).
  function replaceText(old, text) {
    const at = body.value.indexOf(old);
    if (at < 0) return false;
    const { selectionStart, selectionEnd } = body;
    const end = at + old.length;
    body.value = body.value.slice(0, at) + text + body.value.slice(end);
    const shift = (position) => (position >= end ? position + text.length - old.length : position);
    body.setSelectionRange(shift(selectionStart), shift(selectionEnd));
    changed();
    return true;
  }

  function progressItem(file, where) {
    const item = document.createElement("li");
    const name = document.createElement("span");
    name.className = "name";
    name.dir = "auto";
    name.textContent = file.name || "pasted image";
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", `Uploading ${name.textContent}`);
    const state = document.createElement("span");
    state.className = "upload-state";
    state.textContent = "0 %";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "link";
    cancel.textContent = "Cancel";
    item.append(name, bar, state, cancel);
    where.append(item);
    where.hidden = false;
    return { item, bar, state, cancel, where };
  }

  function finish(view, message, failed) {
    view.bar.remove();
    view.cancel.textContent = "Dismiss";
    view.state.textContent = message;
    if (failed) {
      view.item.classList.add("failed");
      view.state.setAttribute("role", "alert");
    } else {
      setTimeout(() => dismiss(view), 6000);
    }
  }

  function dismiss(view) {
    view.item.remove();
    view.where.hidden = view.where.children.length === 0;
  }

  // The server's sentence, or one of ours when its answer says nothing.
  function failure(xhr) {
    const data = xhr.response;
    if (data && typeof data.error === "string") return data.error;
    if (xhr.status === 0) return "The upload stopped: the connection to the server was lost.";
    return `The server answered ${xhr.status}: try again in a moment.`;
  }

  // Send one file; `done(data)` with the server's answer, the text untouched on failure.
  function upload(file, where, done, undo) {
    const view = progressItem(file, where);
    const data = new FormData();
    data.append("file", file, file.name || "pasted-image.png");
    const xhr = new XMLHttpRequest();
    xhr.open("POST", uploadUrl);
    xhr.responseType = "json";
    xhr.setRequestHeader("X-CSRFToken", token);
    xhr.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable) return;
      const percent = Math.floor((event.loaded / event.total) * 100);
      view.bar.value = percent;
      view.state.textContent = percent < 100 ? `${percent} %` : "Processing…";
    });
    xhr.addEventListener("loadend", () => {
      uploadsUnderWay -= 1;
      if (xhr.status === 201 && xhr.response && xhr.response.markdown) {
        finish(view, done(xhr.response), false);
      } else {
        undo();
        finish(view, xhr.status === 0 && view.cancelled ? "Cancelled." : `Not uploaded: ${failure(xhr)}`, true);
      }
    });
    view.cancel.addEventListener("click", () => {
      if (xhr.readyState !== XMLHttpRequest.DONE) {
        view.cancelled = true;
        xhr.abort();
      } else {
        dismiss(view);
      }
    });
    uploadsUnderWay += 1;
    xhr.send(data);
  }

  function uploadIntoBody(files) {
    for (const file of files) {
      counter += 1;
      const name = (file.name || "image").replace(/[[\]\n]/g, " ");
      const placeholder = `![Uploading ${name} (${counter})…]()`;
      const inserted = insertParagraph(placeholder);
      upload(
        file,
        list,
        (data) => (replaceText(placeholder, data.markdown)
          ? "Added."
          : "Uploaded, not inserted: its placeholder was deleted. It is in the media library."),
        // The lines it came with too, if untouched: the text is as it was before.
        () => replaceText(inserted, "") || replaceText(placeholder, ""),
      );
    }
  }

  const filesOf = (transfer) => (transfer ? [...transfer.files] : []);

  body.addEventListener("dragover", (event) => {
    if (!event.dataTransfer || ![...event.dataTransfer.types].includes("Files")) return;
    event.preventDefault(); // allows the drop; text dragged in behaves as usual
    body.classList.add("dropping");
  });
  body.addEventListener("dragleave", () => body.classList.remove("dropping"));
  body.addEventListener("drop", (event) => {
    body.classList.remove("dropping");
    const files = filesOf(event.dataTransfer);
    if (files.length === 0) return;
    event.preventDefault();
    uploadIntoBody(files);
  });
  // A pasted screenshot or copied picture; text (even with an image beside it) pastes as text.
  body.addEventListener("paste", (event) => {
    const files = filesOf(event.clipboardData).filter((file) => file.type.startsWith("image/"));
    if (files.length === 0 || event.clipboardData.types.includes("text/plain")) return;
    event.preventDefault();
    uploadIntoBody(files);
  });
  const picker = document.getElementById("image-picker");
  picker.addEventListener("change", () => {
    body.focus();
    uploadIntoBody([...picker.files]);
    picker.value = "";
  });

  // The cover: a chosen file uploads, joins the choices and is chosen.
  const coverPicker = document.getElementById("cover-picker");
  if (coverPicker) {
    coverPicker.addEventListener("change", () => {
      const where = document.getElementById("cover-uploads");
      for (const file of coverPicker.files) upload(file, where, chooseCover, () => {});
      coverPicker.value = "";
    });
  }

  // The uploaded image as the chosen cover: its choice, added unless the library
  // had the same file already (one image per file: the same id comes back).
  function chooseCover(data) {
    let radio = document.getElementById(`cover-${data.id}`);
    if (!radio) {
      const choice = document.getElementById("cover-choice").content.firstElementChild.cloneNode(true);
      radio = choice.querySelector("input");
      radio.value = data.id;
      radio.id = `cover-${data.id}`;
      choice.querySelector("label").htmlFor = radio.id;
      choice.querySelector("img").src = data.thumb_url;
      choice.querySelector(".caption").textContent = data.alt || data.name;
      document.getElementById("cover-choices").append(choice);
    }
    radio.checked = true;
    radio.dispatchEvent(new Event("input", { bubbles: true }));
    return "Chosen as the cover; save to keep it.";
  }

  // Save waits for the uploads: their placeholders are not the writer's text.
  form.addEventListener("submit", (event) => {
    if (uploadsUnderWay === 0) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    document.getElementById("autosave-status").textContent =
      "Images are still uploading: save once they are in (or cancel them).";
  }, true);
})();
