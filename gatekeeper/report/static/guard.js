(function () {
  "use strict";
  // Runs first, in <head>: marks the page as scripted and records any later script error
  // on <html data-js-error>, where the CSS shows it and tests can find it in the DOM.
  var root = document.documentElement;
  root.classList.add("js");
  function mark(message) { root.setAttribute("data-js-error", String(message).slice(0, 300)); }
  window.addEventListener("error", function (e) { mark(e.message || "script error"); });
  window.addEventListener("unhandledrejection", function (e) { mark("unhandled rejection: " + e.reason); });
})();
