/* ivkg view page. Every data string reaches the DOM through textContent (never innerHTML), tooltips are
   DOM elements, and only http(s) links are created. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("ivkg-data").textContent);

  // Controls and bidi overrides (U+202E shows the rest of a label reversed) are shown as \uXXXX.
  var UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/g;
  function visible(text) {
    return text.replace(UNSAFE, function (c) { return "\\u" + ("000" + c.charCodeAt(0).toString(16)).slice(-4); });
  }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = visible(String(text)); }
    if (cls) { e.className = cls; }
    return e;
  }
  function safeUrl(url) {
    return (typeof url === "string" && /^https?:\/\/[^\s]+$/i.test(url)) ? url : null;
  }
  function link(text, url) {
    var u = safeUrl(url);
    if (!u) { return el("span", text); }
    var a = el("a", text);
    a.href = u; a.target = "_blank"; a.rel = "noopener noreferrer";
    return a;
  }
  function add(dl, key, value) {
    if (value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length)) { return; }
    dl.appendChild(el("dt", key));
    var dd = el("dd");
    if (value instanceof Node) { dd.appendChild(value); } else { dd.textContent = Array.isArray(value) ? value.join(", ") : String(value); }
    dl.appendChild(dd);
  }
  var signWord = { "1": "increases", "-1": "decreases", "0": "unsigned" };

  function citationList(cites) {
    var span = el("span");
    cites.forEach(function (c, i) {
      if (i) { span.appendChild(document.createTextNode("; ")); }
      span.appendChild(link(c.text, c.url));
    });
    return span;
  }
  function nodeTip(n) {
    var d = el("div", null, "ivkg-tip");
    d.appendChild(el("b", n.label));
    d.appendChild(el("div", n.category_label + " · " + n.id, "ivkg-muted"));
    if (n.description) { d.appendChild(el("div", n.description)); }
    return d;
  }
  function edgeTip(e) {
    var d = el("div", null, "ivkg-tip");
    d.appendChild(el("b", e.subject_label + " " + e.predicate + " " + e.object_label));
    if (e.statement) { d.appendChild(el("div", e.statement)); }
    d.appendChild(el("div", "Evidence: " + e.evidence + (e.context ? " · " + e.context : ""), "ivkg-muted"));
    if (e.citations.length) {
      d.appendChild(el("div", "Cites: " + e.citations.map(function (c) { return c.text; }).join("; "), "ivkg-muted"));
    }
    return d;
  }
  function showNode(n) {
    var box = document.getElementById("ivkg-details");
    box.replaceChildren(el("h2", n.label));
    var dl = el("dl");
    add(dl, "Identifier", link(n.id, n.url));
    add(dl, "Category", n.category_label);
    add(dl, "Description", n.description);
    add(dl, "Synonyms", n.synonyms);
    add(dl, "Cross-references", n.xrefs);
    box.appendChild(dl);
  }
  function showEdge(e) {
    var box = document.getElementById("ivkg-details");
    box.replaceChildren(el("h2", e.subject_label + " " + e.predicate + " " + e.object_label));
    var dl = el("dl");
    add(dl, "Statement", e.statement);
    add(dl, "Sign", signWord[String(e.sign)] + (e.causal ? "" : " (association, not causal)"));
    add(dl, "Evidence", e.evidence);
    add(dl, "Context", e.context);
    add(dl, "Review section", e.sections);
    add(dl, "Citations", e.citations.length ? citationList(e.citations) : null);
    add(dl, "Note", e.note);
    add(dl, "Statement id", e.id);
    box.appendChild(dl);
  }
  function legend() {
    var box = document.getElementById("ivkg-legend");
    box.replaceChildren(el("h2", "Legend"));
    data.legend.categories.forEach(function (c) {
      var row = el("div", null, "ivkg-legend-row");
      var sw = el("span", null, "ivkg-swatch");
      sw.style.background = c.colour;
      row.appendChild(sw); row.appendChild(el("span", c.label)); row.appendChild(el("span", c.shape, "ivkg-shape"));
      box.appendChild(row);
    });
    data.legend.signs.forEach(function (s) {
      var row = el("div", null, "ivkg-legend-row");
      var ln = el("span", null, "ivkg-line");
      ln.style.borderTop = "3px solid " + s.colour;
      row.appendChild(ln); row.appendChild(el("span", s.label));
      box.appendChild(row);
    });
    box.appendChild(el("div", "Dashed: association (correlation), not a causal claim.", "ivkg-muted"));
    data.legend.evidence.forEach(function (ev) {
      var row = el("div", null, "ivkg-legend-row");
      var ln = el("span", null, "ivkg-line");
      ln.style.borderTop = Math.max(1, Math.round(ev.width)) + "px solid #555";
      row.appendChild(ln); row.appendChild(el("span", ev.label));
      box.appendChild(row);
    });
  }

  document.getElementById("ivkg-title").textContent = visible(data.title);
  document.getElementById("ivkg-summary").textContent =
    data.nodes.length + " entities, " + data.edges.length + " statements. Click a node or an edge for details.";
  legend();
  document.getElementById("ivkg-details").appendChild(
    el("p", "Hover for a summary; click for the statement, its evidence, context and citations.", "ivkg-muted"));

  var byNode = {}, byEdge = {};
  var visNodes = data.nodes.map(function (n) { byNode[n.id] = n; return Object.assign({}, n.vis, { title: nodeTip(n) }); });
  var visEdges = data.edges.map(function (e) { byEdge[e.id] = e; return Object.assign({}, e.vis, { title: edgeTip(e) }); });
  var container = document.getElementById("ivkg-network");
  var network = new vis.Network(container, { nodes: new vis.DataSet(visNodes), edges: new vis.DataSet(visEdges) }, data.options);
  var stats = {
    expectedNodes: data.nodes.length, expectedEdges: data.edges.length,
    nodes: network.body.data.nodes.length, edges: network.body.data.edges.length, ready: false, kind: data.kind
  };
  window.ivkgNetwork = network;
  window.ivkgStats = stats;
  window.ivkgShow = { node: function (id) { showNode(byNode[id]); }, edge: function (id) { showEdge(byEdge[id]); } };
  function ready() {
    if (!stats.ready) { stats.ready = true; document.body.setAttribute("data-ivkg-ready", "1"); }
  }
  if (data.options.physics && data.options.physics.enabled) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      network.fit();
      ready();
    });
  } else {
    network.once("afterDrawing", ready);
  }
  network.on("click", function (params) {
    if (params.nodes.length) { showNode(byNode[params.nodes[0]]); }
    else if (params.edges.length) { showEdge(byEdge[params.edges[0]]); }
  });
  document.getElementById("ivkg-search").addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter") { return; }
    var q = ev.target.value.trim().toLowerCase();
    if (!q) { return; }
    var hit = data.nodes.find(function (n) { return n.label.toLowerCase().indexOf(q) >= 0 || n.id.toLowerCase() === q; });
    if (hit) { network.selectNodes([hit.id]); network.focus(hit.id, { scale: 1.2, animation: false }); showNode(hit); }
  });
})();
