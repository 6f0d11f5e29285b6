// Forms with data-confirm ask before they submit (delete buttons). The text
// lives in an attribute, never in inline script, so titles cannot inject code.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// A checkbox with data-select-all="NAME" ticks or clears every NAME checkbox of
// its form (the admin list's bulk selection).
document.addEventListener("change", (event) => {
  const name = event.target.dataset && event.target.dataset.selectAll;
  if (!name) return;
  for (const box of event.target.form.querySelectorAll(`input[name="${name}"]`)) {
    box.checked = event.target.checked;
  }
});

// A bulk form (data-confirm-bulk="NAME") names the action and how many NAME
// boxes are ticked before it submits; with either missing the server explains.
document.addEventListener("submit", (event) => {
  const name = event.target.dataset && event.target.dataset.confirmBulk;
  if (!name) return;
  const action = event.target.querySelector("select[name=action]");
  const count = event.target.querySelectorAll(`input[name="${name}"]:checked`).length;
  if (!action.value || !count) return;
  const label = action.options[action.selectedIndex].text;
  if (!window.confirm(`${label}: ${count} blog${count === 1 ? "" : "s"}? Each is changed and logged on its own.`)) {
    event.preventDefault();
  }
});

// The conflict view's "Use theirs" (data-take="FIELD") copies the stored text of
// one field into the form's field of that id; the writer's own stays shown beside.
document.addEventListener("click", (event) => {
  const name = event.target.dataset && event.target.dataset.take;
  if (!name) return;
  const stored = document.querySelector(`[data-stored="${CSS.escape(name)}"]`);
  const field = document.getElementById(name);
  if (!stored || !field) return;
  field.value = stored.textContent;
  field.dispatchEvent(new Event("input", { bubbles: true }));
  field.focus();
});

// On a phone a table's rows stack as cards (platform.css), each cell under its
// column's name: the names are copied here from the table's head, once.
for (const table of document.querySelectorAll("table.posts")) {
  const names = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
  for (const row of table.querySelectorAll("tbody tr")) {
    if ([...row.cells].some((cell) => cell.colSpan > 1)) continue; // "No posts yet."
    [...row.cells].forEach((cell, i) => {
      if (names[i]) cell.dataset.label = names[i];
    });
  }
}

// The signup form's hidden time zone: the browser's. The server checks it; a zone
// it does not know, or none (no script), makes the blog's zone UTC.
for (const field of document.querySelectorAll("input[data-browser-zone]")) {
  try {
    field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch (error) {
    field.value = "UTC";
  }
}

// A copy button (data-copy="ID", the media library's Markdown) puts the value of the
// field of that id on the clipboard and says so; where the browser refuses, the
// text is selected for the person to copy.
document.addEventListener("click", async (event) => {
  const id = event.target.dataset && event.target.dataset.copy;
  if (!id) return;
  const field = document.getElementById(id);
  const button = event.target;
  const said = button.nextElementSibling; // the card's role="status"
  try {
    await navigator.clipboard.writeText(field.value);
    said.textContent = "Copied.";
    setTimeout(() => { said.textContent = ""; }, 4000);
  } catch (error) {
    field.select();
    said.textContent = "Selected: press Ctrl+C (or ⌘C) to copy it.";
  }
});

// On a phone the section bar is one row that scrolls sideways: start it with the
// current section in view (not the page: only the row scrolls).
for (const current of document.querySelectorAll("nav.sections .tabs [aria-current=page]")) {
  const row = current.parentElement;
  if (row.scrollWidth > row.clientWidth) {
    row.scrollLeft = current.offsetLeft - row.offsetLeft - (row.clientWidth - current.offsetWidth) / 2;
  }
}
