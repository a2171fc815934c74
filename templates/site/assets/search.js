// folio site search: finds the words of a query at the start of words of
// titles and details, and lists matches as links in #search-results. Plain
// JavaScript, no network beyond this site.
(function () {
  "use strict";
  var script = document.currentScript;
  var root = (script && script.getAttribute("data-root")) || "";
  var KINDS = { account: "Account", project: "Project", invoice: "Invoice", page: "Handbook", policy: "Policy", role: "Role" };
  // The index comes in shards, each a script that hands its part to a
  // global function, because fetch() of a local file is refused on file://
  // pages. The manifest (assets/search-index.js) is all that loads before
  // the first query; each query then loads the word shards of its terms
  // and the runs of items it lists.
  var manifest = null;
  var words = {};
  var items = {};
  var waiting = {};
  var generation = 0;

  function fold(text) {
    return String(text).toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  window.FOLIO_SEARCH_WORDS = function (n, part) { words[n] = part; };
  window.FOLIO_SEARCH_ITEMS = function (n, part) { items[n] = part; };

  function load(src, then) {
    if (waiting[src]) { waiting[src].push(then); return; }
    waiting[src] = [then];
    var tag = document.createElement("script");
    tag.src = root + src;
    tag.onload = function () {
      var run = waiting[src]; waiting[src] = "done";
      run.forEach(function (f) { f(); });
    };
    tag.onerror = function () { delete waiting[src]; };
    document.head.appendChild(tag);
  }

  // Runs `then` once every file of `srcs` has loaded.
  function loadAll(srcs, then) {
    var left = srcs.length;
    if (!left) { then(); return; }
    srcs.forEach(function (src) {
      if (waiting[src] === "done") { if (--left === 0) { then(); } return; }
      load(src, function () { if (--left === 0) { then(); } });
    });
  }

  function withManifest(then) {
    if (manifest) { then(); return; }
    load("assets/search-index.js", function () {
      manifest = window.FOLIO_SEARCH_INDEX || { shards: 0, items: 0, per_shard: 1, first: {} };
      then();
    });
  }

  // The shard of a word: a hash of its first two characters, as folio
  // computes it (src/site/search.rs: shard_of).
  function shardOf(term) {
    var h = 0;
    var chars = Array.from(term).slice(0, 2);
    for (var i = 0; i < chars.length; i++) { h = (h * 31 + chars[i].codePointAt(0)) % 1000003; }
    return h % manifest.shards;
  }

  // The word shards a term needs: one, or for a single letter every shard
  // holding a word that starts with it.
  function shardsFor(term) {
    if (Array.from(term).length > 1) { return [shardOf(term)]; }
    return manifest.first[term] || [];
  }

  function terms(query) {
    return fold(query).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }

  // Item id → score of every item holding a word that starts with `term`.
  function matches(term) {
    var best = {};
    shardsFor(term).forEach(function (n) {
      var part = words[n] || {};
      Object.keys(part).forEach(function (word) {
        if (word.lastIndexOf(term, 0) !== 0) { return; }
        // Each posting: the gap from the previous item's id × 4 + weight.
        var id = 0;
        part[word].forEach(function (posting) {
          id += posting >> 2;
          var weight = posting & 3;
          if (!(best[id] >= weight)) { best[id] = weight; }
        });
      });
    });
    return best;
  }

  // Ids of the best `limit` items holding every term, best first (ties in
  // title order, which is id order).
  function rank(list, limit) {
    var scores = null;
    list.forEach(function (term) {
      var found = matches(term);
      if (scores === null) { scores = found; return; }
      var both = {};
      Object.keys(scores).forEach(function (id) {
        if (found[id] !== undefined) { both[id] = scores[id] + found[id]; }
      });
      scores = both;
    });
    return Object.keys(scores || {})
      .map(function (id) { return { id: +id, score: scores[id] }; })
      .sort(function (a, b) { return b.score - a.score || a.id - b.id; })
      .slice(0, limit)
      .map(function (h) { return h.id; });
  }

  function item(id) {
    var n = Math.floor(id / manifest.per_shard);
    var row = (items[n] || [])[id - n * manifest.per_shard] || ["", "", "", ""];
    return { t: row[0], k: row[1], d: row[2], u: row[3] };
  }

  // Loads what `query` needs, then calls `show` with its items, unless a
  // newer query started meanwhile.
  function search(query, limit, show) {
    var mine = ++generation;
    var list = terms(query);
    withManifest(function () {
      var needed = {};
      list.forEach(function (t) { shardsFor(t).forEach(function (n) { needed["assets/search/w-" + n + ".js"] = 1; }); });
      loadAll(Object.keys(needed), function () {
        if (mine !== generation) { return; }
        var ids = list.length ? rank(list, limit) : [];
        var runs = {};
        ids.forEach(function (id) { runs["assets/search/i-" + Math.floor(id / manifest.per_shard) + ".js"] = 1; });
        loadAll(Object.keys(runs), function () {
          if (mine !== generation) { return; }
          show(ids.map(item));
        });
      });
    });
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
      search(query, limit, function (found) { render(box, found, query); });
    }
    input.addEventListener("input", update);
    input.addEventListener("focus", function () { withManifest(function () {}); });
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
