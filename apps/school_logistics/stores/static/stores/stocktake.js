/* 盘点单: a row's 账面数量 as soon as its item is picked, from the book the page was served with,
   so 盈亏数量 (its formula, counted_qty - book_qty, form_rules.js) shows while the count is
   typed. Rows that came with a book quantity keep it while their item stays; the server reads
   the book again on save, and its figure stands. */
(function () {
  "use strict";
  var data = document.getElementById("stocktake-book");
  var form = document.getElementById("doc-form");
  if (!data || !form) return;
  var book = JSON.parse(data.textContent);

  function item(row) {
    var cell = row.querySelector('td[data-field="item"]');
    var input = cell && (cell.querySelector(".link-value") || cell.querySelector(".link-input"));
    return input ? input.value.trim() : "";
  }

  function fill(row) {
    var cell = row.querySelector('td[data-field="book_qty"] .cell-value');
    if (!cell) return;
    var code = item(row);
    if (row.dataset.bookOf === undefined) row.dataset.bookOf = cell.textContent.trim() ? code : "";
    if (code === row.dataset.bookOf) return;
    row.dataset.bookOf = code;
    cell.textContent = code ? book[code] || "0" : "";
  }

  // Before form_rules.js recomputes (it waits a moment after each input and change).
  function fillAll() {
    form.querySelectorAll('.desk-grid[data-prefix="items"] tr.grid-row').forEach(fill);
  }
  form.addEventListener("input", fillAll);
  form.addEventListener("change", fillAll);
  fillAll();
})();
