/* 盘点单: each row's 账面数量 as soon as its item is picked, and its 盈亏数量 and 盈亏金额, with
   their total, as the count is typed, from the book the page was served with; the server
   values the rows again on save (StockReconciliation.validate), and its figures stand.

   As there, a row whose item and count are what the page was served with keeps the book
   quantity and amount it was counted with; any other row is compared with the book now: a
   surplus valued at the item's average (its reference price when none is held), a shortage
   taken out at the average, the last of an item taking all its value. Quantities show as the
   server shows them (1,250.5, not 1,250.500), money to the fen. */
(function () {
  "use strict";
  var data = document.getElementById("stocktake-book");
  var form = document.getElementById("doc-form");
  if (!data || !form || !form.hasAttribute("data-editing")) return;
  var book = JSON.parse(data.textContent);
  var GRID = '.desk-grid[data-prefix="items"]';

  // The server's reading of a typed number (desk.js): "1,250.5" is a number, "12,5" is not.
  function number(text) {
    var value = String(text == null ? "" : text).trim();
    if (!value || value === "—") return null;
    if (window.SchoolNumber) return window.SchoolNumber.parse(value);
    var n = Number(value.replace(/,/g, ""));
    return isNaN(n) ? null : n;
  }

  /* Half up on the decimal digits, as the server's Decimal quantizes: 0.125 → 0.13. */
  function rounded(x, places) {
    var digits = Number(Math.abs(x).toPrecision(15));  // drops the binary noise past 15 digits
    var text = String(digits);
    var r = text.indexOf("e") >= 0
      ? Math.round(digits * Math.pow(10, places)) / Math.pow(10, places)
      : Number(Math.round(Number(text + "e" + places)) + "e-" + places);
    return x < 0 && r !== 0 ? -r : r;
  }

  function quantity(x) {
    if (x === null) return "";
    return rounded(x, 3).toLocaleString("en-US", { maximumFractionDigits: 3 });
  }

  function money(x) {
    if (x === null) return "";
    return rounded(x, 2).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  // What a row's difference is worth in the books now (stores/controllers._difference_value).
  function valued(difference, code) {
    var held = book.held[code];
    var qty = held ? Number(held.qty) : 0;
    var value = held ? Number(held.value) : 0;
    if (difference >= 0 || qty <= 0) {
      var rate = qty > 0 ? value / qty : Number(book.prices[code] || 0);
      return rounded(difference * rate, 2);
    }
    if (-difference >= qty) return -value;
    return -rounded((value * -difference) / qty, 2);
  }

  function cell(row, field) {
    return row.querySelector('td[data-field="' + field + '"] .cell-value');
  }

  function item(row) {
    var td = row.querySelector('td[data-field="item"]');
    var input = td && (td.querySelector(".link-value") || td.querySelector(".link-input"));
    return input ? input.value.trim() : "";
  }

  function count(row) {
    var input = row.querySelector('td[data-field="counted_qty"] input:not([type=hidden])');
    return input ? number(input.value) : null;
  }

  // What the page was served with, read once per row: a row added here was served nothing.
  var served = new WeakMap();
  function servedWith(row) {
    if (!served.has(row)) {
      var bookCell = cell(row, "book_qty");
      var amountCell = cell(row, "difference_amount");
      var first = {
        item: item(row),
        count: count(row),
        book: bookCell ? number(bookCell.textContent) : null,
        amount: amountCell ? number(amountCell.textContent) : null,
      };
      served.set(row, first.item && first.book !== null && first.amount !== null ? first : null);
    }
    return served.get(row);
  }

  // Returns the row's amount, null while its item or count is not there yet.
  function fill(row) {
    var first = servedWith(row);
    var code = item(row);
    var counted = count(row);
    var asServed = first && code === first.item && counted === first.count;
    var held = book.held[code];
    var bookQty = asServed ? first.book : code ? (held ? Number(held.qty) : 0) : null;
    var difference = counted === null || bookQty === null ? null : rounded(counted - bookQty, 3);
    var amount = asServed ? first.amount : difference === null ? null : valued(difference, code);
    var shown = { book_qty: quantity(bookQty), difference: quantity(difference), difference_amount: money(amount) };
    Object.keys(shown).forEach(function (field) {
      var target = cell(row, field);
      if (target && target.textContent !== shown[field]) target.textContent = shown[field];
    });
    return amount;
  }

  function fillAll() {
    var grid = form.querySelector(GRID);
    if (!grid) return;
    var total = 0;
    grid.querySelectorAll("tbody > tr.grid-row").forEach(function (row) {
      var amount = fill(row);
      if (amount !== null) total += amount;
    });
    var foot = grid.querySelector('tfoot [data-total-for="difference_amount"] .total-value');
    if (foot) foot.textContent = money(total);
  }

  form.addEventListener("input", fillAll);
  form.addEventListener("change", fillAll);
  fillAll();
})();
