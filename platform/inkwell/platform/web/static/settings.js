// Blog settings: picking a theme card or a code style swaps the stylesheets of the
// preview frame (dashboard/_themes.html), so the owner sees the blog with it
// before saving. Without this script the frames show the saved theme and the
// choice still saves.
(() => {
  "use strict";
  const form = document.getElementById("settings-form");
  if (!form) return;
  const styles = JSON.parse(form.dataset.styles);
  const frames = document.querySelectorAll("iframe.theme-preview");

  const chosen = () => {
    const theme = form.querySelector('input[name="theme"]:checked')?.value;
    const code = form.elements.code_style.value;
    const own = styles.themes[theme];
    if (!own) return null;
    return [own[0], own[1], code === "theme" ? own[2] : styles.codes[code] || own[2]];
  };

  const show = () => {
    const hrefs = chosen();
    if (!hrefs) return;
    for (const frame of frames) {
      const doc = frame.contentDocument;
      if (!doc || !doc.head) continue;
      const links = doc.head.querySelectorAll('link[rel="stylesheet"]');
      links.forEach((link, i) => { if (hrefs[i] && link.getAttribute("href") !== hrefs[i]) link.href = hrefs[i]; });
    }
  };

  form.addEventListener("change", (event) => {
    if (event.target.name === "theme" || event.target.name === "code_style") show();
  });
  // A form restored by the browser (back button) may differ from the saved theme.
  for (const frame of frames) frame.addEventListener("load", show);
})();
