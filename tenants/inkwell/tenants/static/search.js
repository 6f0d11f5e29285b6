// Search in a blog's static mirror (tenants.search), where no server can answer:
// /search/posts.js assigns every public post's title, address, tags and first words
// to window.inkwellSearchPosts (a fetch of a JSON file is refused on a page opened
// from disk), and this script shows those matching ?q= as the served search would
// (every word, "phrases", `or`, -word), titles first, the words marked. Text goes into the page as text nodes only, never as HTML.
(function () {
  "use strict";
  var MAX_QUERY = 200;
  var SHOWN = 50; // results listed: the best ones; more words narrow them down
  var posts = window.inkwellSearchPosts || [];
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var input = document.getElementById("q");
  if (!status || !list || !input) return;

  // Case and accents aside, so "cafe" finds "Café"; the length stays the same
  // for the Latin letters whose accents this drops, which marking relies on.
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").normalize("NFC").toLowerCase();
  }

  // As the served search reads a query: words all present, "a phrase", `or`
  // between alternatives, -word absent.
  function parse(query) {
    var groups = [], absent = [], joined = false;
    query.replace(/"([^"]*)"?|(\S+)/g, function (_all, phrase, word) {
      var quoted = phrase !== undefined, text = fold(quoted ? phrase : word).trim();
      if (!quoted && text === "or" && groups.length) { joined = true; return ""; }
      var negative = !quoted && text.charAt(0) === "-";
      if (negative) text = text.slice(1);
      if (!/[\p{L}\p{N}]/u.test(text)) return "";
      if (negative) absent.push(text);
      else if (joined) groups[groups.length - 1].push(text);
      else groups.push([text]);
      joined = false;
      return "";
    });
    return { groups: groups, absent: absent };
  }

  // 0 when the post does not match; more for words in its title.
  function score(post, wanted) {
    var title = fold(post.title), rest = fold(post.tags.join(" ") + " " + post.text);
    var has = function (text, word) { return text.indexOf(word) >= 0; };
    var total = 0;
    for (var i = 0; i < wanted.absent.length; i++) {
      if (has(title, wanted.absent[i]) || has(rest, wanted.absent[i])) return 0;
    }
    for (var g = 0; g < wanted.groups.length; g++) {
      var best = 0;
      wanted.groups[g].forEach(function (word) {
        best = Math.max(best, has(title, word) ? 3 : has(rest, word) ? 1 : 0);
      });
      if (!best) return 0;
      total += best;
    }
    return total;
  }

  // `text` into `parent`, each occurrence of a word in a <mark>.
  function marked(parent, text, words) {
    var folded = fold(text), at = 0;
    var same = folded.length === text.length;
    while (same && at < text.length) {
      var next = -1, length = 0;
      for (var i = 0; i < words.length; i++) {
        var found = folded.indexOf(words[i], at);
        if (found >= 0 && (next < 0 || found < next)) { next = found; length = words[i].length; }
      }
      if (next < 0) break;
      parent.appendChild(document.createTextNode(text.slice(at, next)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(next, next + length);
      parent.appendChild(mark);
      at = next + length;
    }
    parent.appendChild(document.createTextNode(text.slice(same ? at : 0)));
  }

  function show(query) {
    var wanted = parse(query), words = [].concat.apply([], wanted.groups);
    list.textContent = "";
    if (!words.length) { status.textContent = "Type something to search."; return; }
    var found = [];
    posts.forEach(function (post, order) {
      var points = score(post, wanted);
      if (points) found.push({ post: post, points: points, order: order });
    });
    found.sort(function (a, b) { return b.points - a.points || a.order - b.order; });
    status.textContent = found.length
      ? found.length + (found.length === 1 ? " result" : " results") + " for “" + query + "”" +
        (found.length > SHOWN ? ", the best " + SHOWN + " shown." : ".")
      : "No posts match “" + query + "”.";
    found.slice(0, SHOWN).forEach(function (hit) {
      var item = document.createElement("li"), heading = document.createElement("h2");
      var link = document.createElement("a"), snippet = document.createElement("p");
      item.dir = "auto";
      link.href = hit.post.url;
      marked(link, hit.post.title, words);
      heading.appendChild(link);
      item.appendChild(heading);
      if (hit.post.tags.length) {
        var tags = document.createElement("p");
        tags.className = "meta";
        tags.textContent = hit.post.tags.map(function (tag) { return "#" + tag; }).join(" · ");
        item.appendChild(tags);
      }
      snippet.className = "snippet";
      marked(snippet, hit.post.text, words);
      item.appendChild(snippet);
      list.appendChild(item);
    });
  }

  var query = (new URLSearchParams(window.location.search).get("q") || "").trim();
  query = query.replace(/[\u0000-\u001f\u007f]/g, "").slice(0, MAX_QUERY);
  input.value = query;
  show(query);
})();
