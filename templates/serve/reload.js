// folio serve: reloads this page when the site is rebuilt. serve adds
// <script src="/__folio/reload.js" data-version="..."> to every HTML page it
// serves; this polls /__folio/version and reloads when it differs from the
// version the page was served with (so a build that finishes between serving
// the page and the first poll is not missed).
(function () {
  "use strict";
  var script = document.currentScript;
  var seen = script ? script.getAttribute("data-version") : null;
  var quiet = 300;
  var delay = quiet;
  function again() { setTimeout(poll, delay); }
  function poll() {
    fetch("/__folio/version", { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (version) {
        version = version.trim();
        if (seen === null) { seen = version; }
        if (version !== seen) { window.location.reload(); return; }
        delay = quiet;
        again();
      }, function () {
        // The server is restarting or stopped: ask less often.
        delay = Math.min(delay * 2, 5000);
        again();
      });
  }
  again();
})();
