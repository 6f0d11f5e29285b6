// A running import's page follows its job: every few seconds it fetches itself
// again and swaps in the new <main> (a timed reload would move the reader's
// place and focus), until the page it gets says the job has ended.
(() => {
  const section = document.querySelector("[data-refresh]");
  if (!section) return;
  const every = Number(section.dataset.refresh) * 1000;
  const follow = async () => {
    try {
      const answer = await fetch(location.href, { headers: { Accept: "text/html" } });
      if (answer.ok) {
        const page = new DOMParser().parseFromString(await answer.text(), "text/html");
        const main = page.querySelector("main");
        if (main) document.querySelector("main").replaceWith(main);
        if (!page.querySelector("[data-refresh]")) return;
      }
    } catch (error) {
      // Offline for a moment: the next round tries again.
    }
    setTimeout(follow, every);
  };
  setTimeout(follow, every);
})();
