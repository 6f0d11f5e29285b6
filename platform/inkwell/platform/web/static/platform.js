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
