// searcher's search box for a site's own pages (issue #23; searcher/widget.py prints the
// HTML that loads it). Plain ES2017+, no framework, no dependency.
//
// Each element with data-searcher-box gets a search box. The server is the script tag's
// data-searcher-url. As the reader types (DEBOUNCE_MS after the last keystroke, never
// while an input method composes) it asks <server>/api/search?q=…&limit=LIMIT&collapse=1;
// an answer to anything but the latest request is dropped, and a pending request is
// aborted (AbortController) when a newer one starts.
//
// Accessibility: the WAI-ARIA APG combobox with a listbox popup. The box is
// role=combobox with aria-expanded, aria-controls, aria-autocomplete=list and
// aria-activedescendant; each result is role=option. ArrowDown/ArrowUp move through the
// results (wrapping), Enter opens the active one, Enter with none active opens the
// server's page of all results (/?q=), Escape closes the list and returns focus to the
// box. A polite live region says 找到 N 篇 or 没有找到 (or the error).
//
// Safety: the API's title_html and snippet are escaped HTML with <mark>; they are
// parsed inertly and only their text and <mark>s are kept. Everything else is set as
// textContent. A result links to its own page on the site (only http(s)), with
// ?highlight=<query> added for highlight.js.
(() => {
  "use strict";

  // As the search page's completions (static/search.js). On xwlb an answer takes 14 ms
  // at the median, 52 ms at p99 (bench/widget_requests.py): results show within about
  // 0.2 s of the last keystroke.
  const DEBOUNCE_MS = 150;
  const LIMIT = 8; // results listed, as the page's completions; the rest: 查看全部
  // Snippets of 80 characters: on xwlb the first <mark> falls within the 60 characters
  // the box shows (three lines on a phone) in 95.3% of snippets, 92.3% at the default
  // 160, and an answer is 10.1 KB instead of 11.3 KB, as fast (bench/widget_requests.py).
  const SNIPPET_CHARS = 80;
  const script = document.currentScript;
  const base = (
    (script && script.dataset.searcherUrl) ||
    (script && script.src ? new URL(".", script.src).href : "")
  ).replace(/\/+$/, "");
  const MESSAGES = {
    offline: "无法连接搜索服务，请稍后再试。",
    busy: "搜索服务繁忙，请稍后再试。",
    failed: "搜索出错了，请稍后再试。",
  };

  function make(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // The text and <mark>s of an escaped HTML fragment (title_html, snippet), nothing else.
  function marked(source) {
    const template = document.createElement("template");
    template.innerHTML = typeof source === "string" ? source : "";
    const out = document.createDocumentFragment();
    for (const node of template.content.childNodes) {
      if (node.nodeName === "MARK") out.append(make("mark", "searcher-mark", node.textContent));
      else out.append(document.createTextNode(node.textContent || ""));
    }
    return out;
  }

  // "2024-01-08T09:30:00+08:00" → "2024年1月8日" (the site's own day, as written).
  function day(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(typeof iso === "string" ? iso : "");
    return m ? `${+m[1]}年${+m[2]}月${+m[3]}日` : "";
  }

  // The hit's page with highlight=<query> added (an old highlight= replaced; the other
  // parameters, as written, and the fragment kept); null for no URL or one not http(s).
  function pageUrl(url, query) {
    let u;
    if (typeof url !== "string" || !url) return null;
    try {
      u = new URL(url, location.href);
    } catch (error) {
      return null;
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") return null;
    const kept = u.search.slice(1).split("&").filter((p) => p && !/^highlight(=|$)/.test(p));
    kept.push(`highlight=${encodeURIComponent(query)}`);
    u.search = `?${kept.join("&")}`;
    return u.href;
  }

  // The first searcher-N whose elements' ids are free in the document: the script loaded
  // twice (once more by a page that adds a box later) must not repeat its boxes' ids.
  function freeId() {
    let n = 1;
    const taken = (k) => ["q", "list"].some((e) => document.getElementById(`searcher-${k}-${e}`));
    while (taken(n)) n++;
    return `searcher-${n}`;
  }

  function mount(container) {
    const id = freeId();
    const form = make("form", "searcher-form");
    form.setAttribute("role", "search");
    form.action = `${base}/`;
    form.method = "get";
    const label = make("label", "searcher-hidden", "搜索本站");
    label.htmlFor = `${id}-q`;
    const box = make("input", "searcher-input");
    Object.assign(box, {
      type: "search",
      name: "q",
      id: `${id}-q`,
      placeholder: "搜索本站",
      autocomplete: "off",
      maxLength: 100,
    });
    box.setAttribute("enterkeyhint", "search");
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-expanded", "false");
    box.setAttribute("aria-controls", `${id}-list`);
    const panel = make("div", "searcher-panel");
    panel.hidden = true;
    const list = make("ul", "searcher-results");
    list.id = `${id}-list`;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "搜索结果");
    const note = make("p", "searcher-note");
    const more = make("a", "searcher-more");
    const status = make("div", "searcher-hidden");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    form.append(label, box);
    panel.append(list, note, more);
    container.replaceChildren(form, panel, status);

    let links = []; // each result's page, in order
    let active = -1;
    let timer = 0;
    let latest = 0; // the latest request's number; older answers are dropped
    let pending = null; // its AbortController
    let shown = ""; // the query whose answer is shown

    function setActive(n) {
      active = n;
      list.querySelectorAll('[role="option"]').forEach((option, i) => {
        option.setAttribute("aria-selected", i === n ? "true" : "false");
        if (i === n) {
          box.setAttribute("aria-activedescendant", option.id);
          option.scrollIntoView({ block: "nearest" });
        }
      });
      if (n < 0) box.removeAttribute("aria-activedescendant");
    }

    function open() {
      panel.hidden = false;
      box.setAttribute("aria-expanded", String(links.length > 0));
    }

    function close() {
      panel.hidden = true;
      box.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function show(body, query) {
      // At most LIMIT results, each an object: an answer of another shape lists what it can.
      const all = Array.isArray(body.hits) ? body.hits : [];
      const hits = all.filter((hit) => hit && typeof hit === "object").slice(0, LIMIT);
      const total = Number.isSafeInteger(body.total) && body.total >= 0 ? body.total : hits.length;
      links = [];
      list.replaceChildren();
      hits.forEach((hit, i) => {
        const href = pageUrl(hit.url, query);
        const option = make("li", "searcher-hit");
        option.id = `${id}-hit-${i}`;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        const title = make(href ? "a" : "span", "searcher-title");
        if (href) {
          title.href = href;
          title.tabIndex = -1;
        }
        title.append(hit.title_html ? marked(hit.title_html) : hit.title || "（无标题）");
        option.append(title);
        const date = day(hit.date);
        if (date) {
          const time = make("time", "searcher-date", date);
          time.dateTime = hit.date.slice(0, 10);
          option.append(time);
        }
        if (hit.snippet) {
          const snippet = make("p", "searcher-snippet");
          snippet.append(marked(hit.snippet));
          option.append(snippet);
        }
        option.addEventListener("mousedown", (event) => event.preventDefault()); // keep focus
        option.addEventListener("click", (event) => {
          if (href && !event.target.closest("a")) location.assign(href);
        });
        links.push(href);
        list.append(option);
      });
      list.hidden = hits.length === 0;
      note.textContent = hits.length ? "" : `没有找到与“${query}”相关的文章。`;
      note.hidden = hits.length > 0;
      more.href = `${base}/?${new URLSearchParams({ q: query })}`;
      more.textContent = total > hits.length ? `查看全部 ${total} 篇结果` : "在搜索页查看";
      more.hidden = false;
      status.textContent = total ? `找到 ${total} 篇` : "没有找到";
      shown = query;
      setActive(-1);
      open();
    }

    function fail(text) {
      links = [];
      list.replaceChildren();
      list.hidden = true;
      note.textContent = text;
      note.hidden = false;
      more.hidden = true;
      status.textContent = text;
      shown = "";
      setActive(-1);
      open();
    }

    async function ask(query) {
      const number = ++latest;
      if (pending) pending.abort();
      pending = new AbortController();
      const params = new URLSearchParams({
        q: query,
        limit: String(LIMIT),
        collapse: "1",
        snippet: String(SNIPPET_CHARS),
      });
      let response;
      let body = null;
      try {
        response = await fetch(`${base}/api/search?${params}`, {
          signal: pending.signal,
          headers: { Accept: "application/json" },
        });
        body = await response.json().catch(() => null);
      } catch (error) {
        if (number === latest && error.name !== "AbortError") fail(MESSAGES.offline);
        return;
      }
      if (number !== latest || box.value.trim() !== query) return; // overtaken
      if (response.ok && body && typeof body === "object") show(body, query);
      else fail(response.status === 503 || response.status === 429 ? MESSAGES.busy : MESSAGES.failed);
    }

    function schedule() {
      clearTimeout(timer);
      const query = box.value.trim();
      if (!query) {
        latest++;
        if (pending) pending.abort();
        status.textContent = "";
        shown = "";
        links = []; // the emptied box's arrow keys must not bring the last answer back
        list.replaceChildren();
        close();
        return;
      }
      timer = setTimeout(() => ask(query), DEBOUNCE_MS);
    }

    box.addEventListener("input", (event) => {
      if (!event.isComposing) schedule();
    });
    box.addEventListener("compositionend", schedule);
    box.addEventListener("focus", () => {
      if (shown && shown === box.value.trim()) open();
    });
    box.addEventListener("keydown", (event) => {
      if (event.isComposing) return;
      const count = links.length;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!count || shown !== box.value.trim()) return; // the results of another query
        event.preventDefault();
        if (panel.hidden) open();
        const step = event.key === "ArrowDown" ? 1 : -1;
        setActive(active < 0 ? (step > 0 ? 0 : count - 1) : (active + step + count) % count);
      } else if (event.key === "Enter" && active >= 0 && !panel.hidden) {
        event.preventDefault();
        if (links[active]) location.assign(links[active]);
      } else if (event.key === "Escape" && !panel.hidden) {
        event.preventDefault();
        close();
      }
    });
    container.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && event.target !== box && !panel.hidden) {
        box.focus(); // (which reopens a list it had left)
        close();
      }
    });
    container.addEventListener("focusout", (event) => {
      if (!container.contains(event.relatedTarget)) close();
    });
    form.addEventListener("submit", (event) => {
      if (!box.value.trim()) event.preventDefault();
    });
  }

  function start() {
    if (!base || !window.fetch) return;
    document.querySelectorAll("[data-searcher-box]").forEach((container) => {
      if (!container.dataset.searcherReady) {
        container.dataset.searcherReady = "1";
        mount(container);
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
