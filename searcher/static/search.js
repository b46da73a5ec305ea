// The search page's only script (searcher.web; the Content-Security-Policy allows no
// other and no inline script). Without it the page works as a plain form.
//
// 1. "/" focuses the search box, as on most search sites, unless the reader is typing
//    in a field.
// 2. Search as you type (issue #21): completions of the box's text from /api/suggest
//    (the box's data-suggest URL) in a list under it, with the ARIA combobox pattern
//    (WAI-ARIA APG "combobox with listbox popup"): the box is role=combobox with
//    aria-expanded, aria-controls, aria-autocomplete=list and aria-activedescendant;
//    the list is role=listbox, each completion role=option with aria-selected.
//    - Asked DEBOUNCE_MS after the last keystroke (not while an input method is still
//      composing); an answer for anything but the latest request is dropped, so a slow
//      old answer never replaces a newer one.
//    - Down/Up move the active option, wrapping at either end; Enter on an active
//      option searches its text (a title too: the search ranks the post holding it
//      verbatim first, and keeps the reader on this site's results, with the form's
//      dates, sort and ticked filters); Enter with none active submits the form as
//      typed; Esc closes the list (with it closed, the browser's own Esc clears the
//      box); a click or tap on an option picks it; leaving the box closes the list.
//    - Texts are set with textContent, never as HTML: a title holding markup is shown
//      as the characters it is.
// 3. On a page of results, a change of the sort or recency menu or of a date applies
//    at once (issue #23): the form is submitted as its 搜索 button would, with the box's
//    text. The start page (no results yet) waits for 搜索.

"use strict";

document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  const typing = target instanceof HTMLInputElement
    ? !/^(checkbox|radio|button|submit|reset)$/.test(target.type)
    : target instanceof HTMLElement &&
      (target.isContentEditable || /^(TEXTAREA|SELECT)$/.test(target.tagName));
  if (typing) return;
  const box = document.getElementById("q");
  if (!box) return;
  event.preventDefault();
  box.focus();
  box.select();
});

const DEBOUNCE_MS = 150;
const LIMIT = 8;
const KIND_NAMES = { word: "词", phrase: "词组", tag: "标签", category: "分类", title: "标题" };

function suggestions(box) {
  const form = box.form;
  const endpoint = box.dataset.suggest;
  if (!form || !endpoint || !window.fetch) return;
  const list = document.createElement("ul");
  list.id = "q-suggest";
  list.className = "suggest";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "搜索建议");
  list.hidden = true;
  box.insertAdjacentElement("afterend", list);
  box.setAttribute("role", "combobox");
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-controls", list.id);
  box.setAttribute("aria-expanded", "false");

  let items = []; // the completions shown
  let active = -1; // the active option's number, -1 for none
  let timer = 0;
  let latest = 0; // the number of the latest request; older answers are dropped
  let pending = null; // its AbortController

  function options() {
    return list.querySelectorAll('[role="option"]');
  }

  function setActive(n) {
    active = n;
    options().forEach((option, i) => {
      option.setAttribute("aria-selected", i === n ? "true" : "false");
    });
    if (n >= 0) {
      const option = options()[n];
      box.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      box.removeAttribute("aria-activedescendant");
    }
  }

  function close() {
    list.hidden = true;
    box.setAttribute("aria-expanded", "false");
    setActive(-1);
  }

  function show(completions) {
    items = completions;
    list.replaceChildren();
    completions.forEach((c, i) => {
      const option = document.createElement("li");
      option.id = `q-suggest-${i}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.kind = c.kind;
      const text = document.createElement("span");
      text.className = "s-text";
      text.textContent = c.text;
      option.append(text);
      const kind = document.createElement("span");
      kind.className = "s-kind";
      kind.textContent = KIND_NAMES[c.kind] || c.kind;
      option.append(kind);
      if (c.aid === "pinyin") {
        const aid = document.createElement("span");
        aid.className = "s-aid";
        aid.textContent = "拼音";
        option.append(aid);
      }
      list.append(option);
    });
    active = -1;
    box.removeAttribute("aria-activedescendant");
    if (completions.length) {
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
    } else {
      close();
    }
  }

  async function ask(text) {
    const number = ++latest;
    if (pending) pending.abort();
    pending = new AbortController();
    const url = `${endpoint}?${new URLSearchParams({ q: text, limit: String(LIMIT) })}`;
    let body;
    try {
      const response = await fetch(url, { signal: pending.signal, headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      body = await response.json();
    } catch (error) {
      if (number === latest) close();
      return;
    }
    // only the latest request's answer, and only while the box still says it
    if (number !== latest || body.query !== box.value || document.activeElement !== box) return;
    show(Array.isArray(body.completions) ? body.completions : []);
  }

  function schedule() {
    clearTimeout(timer);
    const text = box.value;
    if (!text.trim()) {
      latest++; // an answer still on its way is for older text
      if (pending) pending.abort();
      close();
      return;
    }
    timer = setTimeout(() => ask(text), DEBOUNCE_MS);
  }

  function pick(n) {
    const c = items[n];
    if (!c) return;
    box.value = c.text;
    clearTimeout(timer);
    latest++;
    close();
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  }

  box.addEventListener("input", (event) => {
    if (event.isComposing) return; // the input method's letters, not yet the text
    schedule();
  });
  box.addEventListener("compositionend", schedule);
  box.addEventListener("keydown", (event) => {
    if (event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
    const open = !list.hidden && items.length > 0;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!open) {
        if (event.key === "ArrowDown" && box.value.trim()) {
          event.preventDefault();
          clearTimeout(timer);
          ask(box.value);
        }
        return;
      }
      event.preventDefault();
      const n = items.length;
      if (event.key === "ArrowDown") setActive(active < 0 ? 0 : (active + 1) % n);
      else setActive(active <= 0 ? n - 1 : active - 1);
    } else if (event.key === "Enter") {
      if (open && active >= 0) {
        event.preventDefault();
        pick(active);
      } else {
        clearTimeout(timer);
        latest++;
        close();
      }
    } else if (event.key === "Escape") {
      if (open) {
        event.preventDefault(); // keep the text: a second Esc clears it (the browser's)
        clearTimeout(timer);
        latest++;
        close();
      }
    } else if (event.key === "Tab") {
      close();
    }
  });
  box.addEventListener("blur", () => {
    clearTimeout(timer);
    latest++;
    close();
  });
  // mousedown would take the focus from the box (and its blur close the list) before
  // the click lands: keep the focus, pick on click
  list.addEventListener("mousedown", (event) => event.preventDefault());
  list.addEventListener("click", (event) => {
    const option = event.target instanceof Element ? event.target.closest('[role="option"]') : null;
    if (!option) return;
    pick(Array.prototype.indexOf.call(options(), option));
  });
}

const searchBox = document.getElementById("q");
if (searchBox) suggestions(searchBox);

const searchForm = document.querySelector("form.search");
if (searchForm && document.getElementById("total")) {
  for (const name of ["sort", "recency", "since", "until"]) {
    const field = searchForm.elements.namedItem(name);
    if (field instanceof HTMLSelectElement || field instanceof HTMLInputElement) {
      field.addEventListener("change", () => searchForm.requestSubmit());
    }
  }
}
