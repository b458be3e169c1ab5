/* ivkg web: suggestions as you type in the search box (an ARIA combobox). Data reaches the DOM only
   through textContent; links are built from ids with encodeURIComponent. */
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("suggestions");
  if (!input || !list) { return; }
  var active = -1, timer = null, serial = 0;

  function options() { return Array.prototype.slice.call(list.querySelectorAll("[role=option]")); }
  function close() {
    list.hidden = true; list.replaceChildren(); active = -1;
    input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant");
  }
  function mark(i) {
    var opts = options();
    if (!opts.length) { return; }
    active = (i + opts.length) % opts.length;
    opts.forEach(function (o, j) { o.setAttribute("aria-selected", j === active ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", opts[active].id);
  }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function show(data) {
    list.replaceChildren();
    active = -1;
    if (!data.hits.length) {
      var miss = el("li", "No entity matches \u201c" + data.query + "\u201d", "miss");
      miss.setAttribute("role", "presentation");
      list.appendChild(miss);
      (data.suggestions || []).forEach(function (s, i) { list.appendChild(option(s, "sugg-" + i, "close name")); });
    } else {
      data.hits.forEach(function (h, i) { list.appendChild(option(h, "sugg-" + i, h.matched ? "matched " + h.matched : null)); });
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }
  function option(h, id, note) {
    var li = el("li");
    li.id = id;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    var a = el("a");
    a.href = "/entity/" + encodeURIComponent(h.id).replace(/%3A/g, ":");
    a.tabIndex = -1;
    a.appendChild(el("span", h.label, "label"));
    a.appendChild(el("span", h.category_label || h.category, "cat"));
    if (note) { a.appendChild(el("span", note, "muted")); }
    li.appendChild(a);
    li.addEventListener("mousedown", function (ev) { ev.preventDefault(); window.location.assign(a.href); });
    return li;
  }
  function fetchSuggestions() {
    var q = input.value.trim();
    if (!q) { close(); return; }
    var mine = ++serial;
    fetch("/api/search?limit=8&q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && mine === serial && input.value.trim() === q) { show(data); } })
      .catch(function () { close(); });
  }
  input.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(fetchSuggestions, 120);
  });
  input.addEventListener("keydown", function (ev) {
    if (list.hidden) { if (ev.key === "ArrowDown") { fetchSuggestions(); ev.preventDefault(); } return; }
    if (ev.key === "ArrowDown") { mark(active + 1); ev.preventDefault(); }
    else if (ev.key === "ArrowUp") { mark(active - 1); ev.preventDefault(); }
    else if (ev.key === "Escape") { close(); ev.preventDefault(); }
    else if (ev.key === "Enter" && active >= 0) {
      ev.preventDefault();
      window.location.assign(options()[active].querySelector("a").href);
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
  window.ivkgSuggest = { ready: true };
})();
