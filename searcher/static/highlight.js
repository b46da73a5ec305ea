// searcher's highlights on a site's article page (issue #23), like pagefind-highlight.
// Plain ES2017+, no dependency. Loaded by the HTML `searcher widget` prints (or on its
// own: <script defer src="SERVER/highlight.js" data-searcher-url="SERVER"></script>).
//
// On a page opened with ?highlight=<query> (the search box's links add it), it asks the
// server (data-searcher-url) for /api/highlight?q=<query>: the terms a search for the
// query matched, each as its units and, for each character, every character searcher
// folds to it (繁/简, full/half width, case; searcher/widget.py). It marks each match in
// the article ([data-searcher-body], else article, else main, else body) with
// <mark class="searcher-highlight">, never inside script, style, textarea, an existing
// mark or an editable element, within one text node. As searcher matches:
// - units of a term may be separated by what the tokenizer joins (spaces, - . / ' · …;
//   searcher/analysis/tokenizers.py JOINER), nothing else;
// - a run of letters or of digits is whole: "ai" marks "AI芯片", not "said";
// - a group's fallback terms are marked only when none of its terms is on the page.
// Any failure leaves the page as it is.
(() => {
  "use strict";

  const query = new URLSearchParams(location.search).get("highlight");
  const script = document.currentScript;
  const base = (
    (script && script.dataset.searcherUrl) ||
    (script && script.src ? new URL(".", script.src).href : "")
  ).replace(/\/+$/, "");
  if (!query || !query.trim() || !base || !window.fetch) return;
  // The script included twice (a layout and an include) marks once: a second run would
  // find a group's terms only inside the first run's marks, which it skips, and mark
  // its fallback words beside them.
  const root = document.documentElement;
  if (root.dataset.searcherHighlight) return;
  root.dataset.searcherHighlight = "1";

  // searcher/analysis/tokenizers.py: JOINER (white space but a line break, ASCII joining
  // punctuation, invisible characters) and the typographic apostrophe. No character
  // matches two of its alternatives (JavaScript's \s holds U+FEFF: it is left to the
  // invisible ones), else a run of it between two units that then fails to match
  // backtracks 2^n ways: 30 U+FEFF took 18 s in Chromium, 32 hung the page
  // (tests/test_hostile23_browser.py).
  const GAP =
    "(?:[^\\S\\n\ufeff]|[-_./'·•‧&+#\u2019]|[\u00ad\u200b-\u200d\u2060\ufeff\ufe00-\ufe0f]|[\\u{e0100}-\\u{e01ef}])*";
  // CJK_CHARS there: each is a unit of its own, so it needs no boundary.
  const CJK =
    "\u2e80-\u2fdf\u3041-\u309f\u30a1-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\\u{20000}-\\u{3ffff}";
  const LETTER = `[^\\P{L}${CJK}]|\\p{M}`; // a letter of a run of letters (accents kept)
  const DIGIT = "\\p{Nd}";
  const SKIP = "script,style,textarea,noscript,template,mark,select,svg,math,[contenteditable]";

  function charClass(alternatives) {
    return `[${alternatives.replace(/[\\\]\[^$.*+?(){}|/-]/g, "\\$&")}]`;
  }

  // A term's pattern: its units, each character any of its forms, joined by GAP; a
  // run of letters or digits at either end may not continue past the match.
  function pattern(term) {
    const units = term.units.map((unit) => unit.map(charClass).join(""));
    const first = term.units[0][0][0];
    const last = term.units[term.units.length - 1].slice(-1)[0][0];
    const kind = (ch) =>
      new RegExp(`^(?:${DIGIT})$`, "u").test(ch) ? DIGIT
        : new RegExp(`^(?:${LETTER})$`, "u").test(ch) ? LETTER : "";
    const before = kind(first) === DIGIT ? `(?<!${DIGIT}[.．]?)` : kind(first) ? `(?<!${LETTER})` : "";
    const after = kind(last) === DIGIT ? `(?![.．]?${DIGIT})` : kind(last) ? `(?!${LETTER})` : "";
    return before + units.join(GAP) + after;
  }

  function regex(terms) {
    const valid = terms.filter((t) => Array.isArray(t.units) && t.units.length);
    if (!valid.length) return null;
    valid.sort((a, b) => b.text.length - a.text.length); // the longest first
    return new RegExp(valid.map(pattern).join("|"), "gu");
  }

  function textNodes(root) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) =>
        !node.data.trim() || node.parentElement.closest(SKIP)
          ? NodeFilter.FILTER_REJECT
          : NodeFilter.FILTER_ACCEPT,
    });
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    return nodes;
  }

  function mark(nodes, re) {
    let count = 0;
    for (const node of nodes) {
      const text = node.data;
      const out = document.createDocumentFragment();
      let pos = 0;
      re.lastIndex = 0;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        if (!m[0]) {
          re.lastIndex++;
          continue;
        }
        out.append(text.slice(pos, m.index));
        const span = document.createElement("mark");
        span.className = "searcher-highlight";
        span.textContent = m[0];
        out.append(span);
        pos = m.index + m[0].length;
        count++;
      }
      if (pos) {
        out.append(text.slice(pos));
        node.replaceWith(out);
      }
    }
    return count;
  }

  async function run() {
    let body;
    try {
      const response = await fetch(`${base}/api/highlight?${new URLSearchParams({ q: query })}`, {
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      body = await response.json();
    } catch (error) {
      return;
    }
    if (!body || !Array.isArray(body.marks)) return;
    const article =
      document.querySelector("[data-searcher-body]") ||
      document.querySelector("article") ||
      document.querySelector("main") ||
      document.body;
    const nodes = textNodes(article);
    const chosen = [];
    for (const group of body.marks) {
      const primary = regex(group.terms || []);
      const found = primary && nodes.some((node) => ((primary.lastIndex = 0), primary.test(node.data)));
      chosen.push(...(found || !group.fallback ? group.terms : group.fallback));
    }
    const re = regex(chosen);
    if (re) root.dataset.searcherHighlights = String(mark(nodes, re));
  }

  run();
})();
