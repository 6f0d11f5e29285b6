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
