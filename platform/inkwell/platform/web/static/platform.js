// Forms with data-confirm ask before they submit (delete buttons). The text
// lives in an attribute, never in inline script, so titles cannot inject code.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
