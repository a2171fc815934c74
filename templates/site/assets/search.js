// folio site search: loads the small index on first use and lists matches as
// links in #search-results. Plain JavaScript, no network beyond this site.
(function () {
  "use strict";
  var script = document.currentScript;
  var root = (script && script.getAttribute("data-root")) || "";
  var KINDS = { account: "Account", project: "Project", invoice: "Invoice", page: "Handbook", policy: "Policy", role: "Role" };
  var index = null;
  var loading = false;
  var waiting = [];

  function fold(text) {
    return String(text).toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  // The index ships as a script that sets a global, because fetch() of a
  // local file is refused on file:// pages.
  function withIndex(then) {
    if (index) { then(); return; }
    waiting.push(then);
    if (loading) { return; }
    loading = true;
    var tag = document.createElement("script");
    tag.src = root + "assets/search-index.js";
    tag.onload = function () {
      index = (window.FOLIO_SEARCH_INDEX || []).map(function (item) {
        return { item: item, title: fold(item.t), text: fold(item.t + " " + item.d + " " + item.k) };
      });
      var run = waiting; waiting = [];
      run.forEach(function (f) { f(); });
    };
    tag.onerror = function () { loading = false; };
    document.head.appendChild(tag);
  }

  function search(query, limit) {
    var terms = fold(query).split(/\s+/).filter(Boolean);
    if (!terms.length) { return []; }
    var hits = [];
    index.forEach(function (entry) {
      var score = 0;
      for (var i = 0; i < terms.length; i++) {
        var term = terms[i];
        if (entry.text.indexOf(term) < 0) { return; }
        if (entry.title.indexOf(term) === 0) { score += 3; }
        else if (entry.title.indexOf(term) > 0) { score += 2; }
        else { score += 1; }
      }
      hits.push({ score: score, entry: entry });
    });
    hits.sort(function (a, b) {
      return b.score - a.score || (a.entry.title < b.entry.title ? -1 : a.entry.title > b.entry.title ? 1 : 0);
    });
    return hits.slice(0, limit).map(function (h) { return h.entry.item; });
  }

  function render(box, items, query) {
    box.textContent = "";
    if (!query.trim()) { return; }
    if (!items.length) {
      var none = document.createElement("p");
      none.className = "search-empty";
      none.textContent = "Nothing matches \u201c" + query + "\u201d.";
      box.appendChild(none);
      return;
    }
    var list = document.createElement("ul");
    items.forEach(function (item) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = root + item.u;
      var kind = document.createElement("span");
      kind.className = "search-kind";
      kind.textContent = KINDS[item.k] || item.k;
      var title = document.createElement("span");
      title.className = "search-title";
      title.textContent = item.t;
      link.appendChild(kind);
      link.appendChild(title);
      if (item.d) {
        var detail = document.createElement("span");
        detail.className = "search-detail";
        detail.textContent = item.d;
        link.appendChild(detail);
      }
      li.appendChild(link);
      list.appendChild(li);
    });
    box.appendChild(list);
  }

  function start() {
    var input = document.getElementById("search");
    // The search page shows its results in the page, under its
    // introduction, rather than in the drop-down over it.
    var box = document.getElementById("search-page-results") || document.getElementById("search-results");
    if (!input || !box) { return; }
    var limit = document.body.classList.contains("page-search") ? 50 : 12;
    function update() {
      var query = input.value;
      withIndex(function () { render(box, search(query, limit), query); });
    }
    input.addEventListener("input", update);
    input.addEventListener("focus", function () { withIndex(function () {}); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        input.value = "";
        box.textContent = "";
      } else if (event.key === "ArrowDown") {
        var first = box.querySelector("a");
        if (first) { event.preventDefault(); first.focus(); }
      } else if (event.key === "Enter") {
        var top = box.querySelector("a");
        if (top) { event.preventDefault(); window.location.href = top.href; }
      }
    });
    box.addEventListener("keydown", function (event) {
      var links = Array.prototype.slice.call(box.querySelectorAll("a"));
      var at = links.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && at < links.length - 1) { event.preventDefault(); links[at + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); if (at > 0) { links[at - 1].focus(); } else { input.focus(); } }
      if (event.key === "Escape") { input.focus(); }
    });
    var params = new URLSearchParams(window.location.search);
    var q = params.get("q");
    if (q) {
      input.value = q;
      update();
    }
    if (input.value) { update(); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
