// The list's print selection: select all on this page, count what is picked, refuse an empty batch.
// Rows are swapped by htmx when filters change, so every handler is delegated from the document.
(function () {
  "use strict";

  function boxes() {
    return Array.prototype.slice.call(
      document.querySelectorAll('input[name="names"][form="batch-print-form"]')
    );
  }

  function refresh() {
    var all = boxes();
    var picked = all.filter(function (b) { return b.checked; }).length;
    var count = document.getElementById("batch-print-count");
    if (count) count.textContent = picked ? String(picked) : "";
    var pickAll = document.getElementById("pick-all");
    if (pickAll) {
      pickAll.checked = all.length > 0 && picked === all.length;
      pickAll.indeterminate = picked > 0 && picked < all.length;
    }
    var hint = document.getElementById("batch-print-hint");
    if (hint && picked) hint.hidden = true;
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.id === "pick-all") {
      boxes().forEach(function (b) { b.checked = target.checked; });
    }
    if (target.id === "pick-all" || target.matches('input[name="names"]')) refresh();
  });

  document.addEventListener("submit", function (event) {
    if (event.target.id !== "batch-print-form") return;
    if (boxes().some(function (b) { return b.checked; })) return;
    event.preventDefault();
    var hint = document.getElementById("batch-print-hint");
    if (hint) hint.hidden = false;
  });

  // The list print carries the filters the address shows now (htmx changes it in place).
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-list-print]");
    if (link) link.href = link.dataset.listPrint + window.location.search;
  });

  document.addEventListener("htmx:afterSwap", refresh);
  document.addEventListener("DOMContentLoaded", refresh);
})();
