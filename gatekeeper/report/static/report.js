(function () {
  "use strict";
  // Evidence pager. Rows come from a <script type="application/json"> block and are built
  // with createElement/textContent only: model output is data, never markup.

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function group(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }

  function num(v) { return (typeof v === "number" && isFinite(v)) ? String(Number(v.toPrecision(4))) : ""; }

  function tokens(s) { return s.match(/\s+|\w+|[^\w\s]/g) || []; }

  // Word diff (characters for single words) by longest common subsequence; null when the
  // texts are too long or too different for a diff to help. Mirrors evidence.diff().
  function diff(a, b) {
    if (typeof a !== "string" || typeof b !== "string" || a === b || !a.trim()) { return null; }
    if (a.length > 1200 || b.length > 1200) { return null; }
    var single = a.trim().indexOf(" ") < 0 && b.trim().indexOf(" ") < 0;
    var x = single ? a.split("") : tokens(a), y = single ? b.split("") : tokens(b);
    var n = x.length, m = y.length, i, j, L = [];
    for (i = 0; i <= n; i++) { L.push(new Uint16Array(m + 1)); }
    for (i = n - 1; i >= 0; i--) {
      for (j = m - 1; j >= 0; j--) {
        L[i][j] = x[i] === y[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
      }
    }
    if (2 * L[0][0] / (n + m) < 0.3) { return null; }
    var ops = [];
    function push(op, t) {
      if (ops.length && ops[ops.length - 1][0] === op) { ops[ops.length - 1][1] += t; } else { ops.push([op, t]); }
    }
    i = 0; j = 0;
    while (i < n && j < m) {
      if (x[i] === y[j]) { push("eq", x[i]); i++; j++; }
      else if (L[i + 1][j] >= L[i][j + 1]) { push("del", x[i]); i++; }
      else { push("ins", y[j]); j++; }
    }
    while (i < n) { push("del", x[i++]); }
    while (j < m) { push("ins", y[j++]); }
    return ops;
  }

  function status(passed) { return passed === true ? "pass" : (passed === false ? "fail" : "n/a"); }

  function textCell(value) {
    var td = el("td");
    td.appendChild(el("div", "txt", value === null ? "" : value));
    return td;
  }

  function resultCell(r, withBaseline) {
    var td = el("td", "c-res"), tag = "";
    function line(node) { if (td.childNodes.length) { td.appendChild(el("br")); } td.appendChild(node); }
    line(el("span", "res r-" + status(r.passed), "candidate " + status(r.passed)));
    if (withBaseline) { line(el("span", "res r-" + status(r.baseline_passed), "baseline " + status(r.baseline_passed))); }
    if (r.passed === false && r.baseline_passed === true) { tag = "regression"; }
    if (r.passed === true && r.baseline_passed === false) { tag = "fixed"; }
    if (tag) { line(el("span", "tag t-" + tag, tag)); }
    if (num(r.score)) {
      line(el("span", "score", "score " + num(r.score) + (num(r.baseline_score) ? " vs " + num(r.baseline_score) : "")));
    }
    if (r.detail) { line(el("span", "detail", r.detail)); }
    return td;
  }

  function outputCell(r) {
    var td = textCell(r.output), ops = r.passed === true ? null : diff(r.expected, r.output);
    if (ops) {
      var box = el("div", "diff");
      box.appendChild(el("span", "diff-label", "diff vs expected:"));
      box.appendChild(document.createTextNode(" "));
      ops.forEach(function (op) { box.appendChild(el(op[0] === "eq" ? "span" : op[0], null, op[1])); });
      td.appendChild(box);
    }
    return td;
  }

  function buildRow(r, index, withBaseline) {
    var tr = el("tr", r.passed === false ? "row-bad" : "");
    var id = el("td", "c-id");
    id.appendChild(el("span", "idx", index + 1));
    id.appendChild(document.createTextNode(" "));
    id.appendChild(el("code", null, r.id));
    tr.appendChild(id);
    tr.appendChild(resultCell(r, withBaseline));
    tr.appendChild(textCell(r.input));
    tr.appendChild(textCell(r.expected));
    tr.appendChild(outputCell(r));
    if (withBaseline) {
      var base = textCell(r.baseline_output);
      if (r.baseline_detail) { base.appendChild(el("span", "detail", r.baseline_detail)); }
      tr.appendChild(base);
    }
    return tr;
  }

  function Pager(section) {
    this.section = section;
    this.size = parseInt(section.getAttribute("data-page-size"), 10) || 50;
    this.withBaseline = section.getAttribute("data-baseline") === "yes";
    this.body = section.querySelector("[data-rows]");
    this.statusText = section.querySelector("[data-status]");
    this.prev = section.querySelector("[data-prev]");
    this.next = section.querySelector("[data-next]");
    this.filter = section.querySelector("[data-filter]");
    this.search = section.querySelector("[data-search]");
    this.rows = null;
    this.matches = null;
    this.page = 0;
    var self = this, timer = null;
    this.prev.addEventListener("click", function () { self.go(self.page - 1); });
    this.next.addEventListener("click", function () { self.go(self.page + 1); });
    this.filter.addEventListener("change", function () { self.refilter(); });
    this.search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { self.refilter(); }, 200);
    });
  }

  // The JSON block is parsed on first use only, so a large report opens fast.
  Pager.prototype.load = function () {
    if (this.rows) { return; }
    var src = document.getElementById(this.section.getAttribute("data-src"));
    var data = JSON.parse(src.textContent), fields = data.fields;
    this.rows = data.rows.map(function (values) {
      var r = {};
      fields.forEach(function (name, i) { r[name] = values[i]; });
      return r;
    });
  };

  Pager.prototype.refilter = function () {
    this.load();
    var mode = this.filter.value, query = this.search.value.trim().toLowerCase(), out = [];
    this.rows.forEach(function (r, i) {
      if (mode === "failing" && r.passed !== false) { return; }
      if (mode === "regressions" && !(r.passed === false && r.baseline_passed === true)) { return; }
      if (query) {
        var hay = [r.id, r.input, r.expected, r.output, r.baseline_output, r.detail].join("\n").toLowerCase();
        if (hay.indexOf(query) < 0) { return; }
      }
      out.push(i);
    });
    this.matches = out;
    this.go(0);
  };

  Pager.prototype.go = function (page) {
    this.load();
    if (!this.matches) { this.matches = this.rows.map(function (_, i) { return i; }); }
    var total = this.matches.length, pages = Math.max(1, Math.ceil(total / this.size));
    this.page = Math.min(Math.max(page, 0), pages - 1);
    var start = this.page * this.size, end = Math.min(start + this.size, total), frag = document.createDocumentFragment();
    for (var k = start; k < end; k++) {
      frag.appendChild(buildRow(this.rows[this.matches[k]], this.matches[k], this.withBaseline));
    }
    this.body.replaceChildren(frag);
    var filtered = total !== this.rows.length ? " matching (of " + group(this.rows.length) + ")" : "";
    this.statusText.textContent = total ? "items " + group(start + 1) + "\u2013" + group(end) + " of " +
      group(total) + filtered : "no items match";
    this.prev.disabled = this.page === 0;
    this.next.disabled = this.page >= pages - 1;
  };

  document.querySelectorAll("[data-evidence]").forEach(function (section) { new Pager(section); });

  // Printing shows collapsed blocks (tracebacks, JSON) too, then restores them.
  var reopened = [];
  window.addEventListener("beforeprint", function () {
    reopened = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"),
      function (d) { d.open = true; return true; });
  });
  window.addEventListener("afterprint", function () { reopened.forEach(function (d) { d.open = false; }); });
})();
