// Comments under a post, from the provider the blog chose. A file rather than inline
// script, so the blog's Content-Security-Policy can allow scripts from the blog and
// that provider only; the settings are the comment section's data attributes.
(() => {
  "use strict";
  const section = document.getElementById("comments");
  if (!section) return;
  const { provider, target, url, identifier } = section.dataset;
  const script = document.createElement("script");
  script.async = true;
  if (provider === "disqus") {
    window.disqus_config = function () {
      this.page.url = url;
      this.page.identifier = identifier;
    };
    script.src = `https://${target}.disqus.com/embed.js`;
    script.setAttribute("data-timestamp", String(Date.now()));
  } else if (provider === "discourse") {
    window.DiscourseEmbed = { discourseUrl: target, discourseEmbedUrl: url };
    script.src = `${target}javascripts/embed.js`;
  } else {
    return;
  }
  document.head.appendChild(script);
})();
