/* The desk's small behaviours: confirm dialogs, the child-table grid, link search, uploads.
   The server stays the judge of every value; what runs here only helps people type. */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = (form || document).querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // The server's rule (validation.parse_number): commas only between groups of three, as money
  // is printed ("1,250", "12,345.50"). "12,5", "1,25,0" or "1e3" is no number here, as it is
  // refused there, rather than 125 or 1000 shown while typing and an error on save.
  var PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
  var GROUPED_NUMBER = /^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/;
  function parseNumber(text) {
    var value = String(text == null ? "" : text).trim();
    if (!PLAIN_NUMBER.test(value) && !GROUPED_NUMBER.test(value)) return null;
    return parseFloat(value.replace(/,/g, ""));
  }
  // For the designer's form rules (form_rules.js), so a formula reads a typed number alike.
  window.SchoolNumber = { parse: parseNumber };

  function money(n) {
    return (Math.round(n * 100) / 100).toLocaleString("en-US", {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    });
  }

  /* ---------- full-width digits typed with a Chinese input method ---------- */
  // "１２．５" reads as 12.5 to the server; turn it into ASCII as it is typed (capture phase, so
  // the totals and formulas listening after this see the digits too).
  var FULL_WIDTH = /[\uFF10-\uFF19\uFF0E\uFF0C\uFF0D\u3002]/g;
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[inputmode=decimal], input[inputmode=numeric]")) return;
    var ascii = input.value.replace(FULL_WIDTH, function (c) {
      if (c === "\uFF0E" || c === "\u3002") return ".";
      if (c === "\uFF0C") return ",";
      if (c === "\uFF0D") return "-";
      return String.fromCharCode(c.charCodeAt(0) - 0xFF10 + 48);
    });
    if (ascii !== input.value) input.value = ascii;
  }, true);

  /* ---------- selects that submit themselves (language switch) ---------- */
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) event.target.form.submit();
  });

  /* ---------- a refused action shown at its address: the address bar back to the page ---------- */
  var pageUrl = document.querySelector("[data-page-url]");
  if (pageUrl && window.history.replaceState) {
    window.history.replaceState(null, "", pageUrl.dataset.pageUrl + window.location.hash);
  }

  /* ---------- confirm dialog for forms with data-confirm ---------- */
  var confirmed = new WeakSet();
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-confirm]") || confirmed.has(form)) return;
    event.preventDefault();
    var modalEl = document.getElementById("confirmModal");
    if (!modalEl || !window.bootstrap) {
      if (window.confirm(form.dataset.confirm)) { confirmed.add(form); form.submit(); }
      return;
    }
    modalEl.querySelector(".confirm-text").textContent = form.dataset.confirm;
    var ok = modalEl.querySelector(".confirm-ok");
    ok.classList.toggle("btn-danger", form.hasAttribute("data-confirm-danger"));
    ok.classList.toggle("btn-primary", !form.hasAttribute("data-confirm-danger"));
    var modal = bootstrap.Modal.getOrCreateInstance(modalEl);
    ok.onclick = function () {
      ok.disabled = true;
      confirmed.add(form);
      form.submit();
    };
    modalEl.addEventListener("hidden.bs.modal", function () { ok.disabled = false; }, { once: true });
    modal.show();
  });

  /* ---------- unsaved changes: save before submitting ---------- */
  var docForm = document.getElementById("doc-form");
  var dirty = false;
  var leaving = false;
  function markDirty() {
    if (dirty || !docForm || !docForm.hasAttribute("data-editing")) return;
    dirty = true;
    var submitBtn = document.getElementById("btn-submit");
    var saveBtn = document.getElementById("btn-save");
    // Submitting a stored draft needs its changes saved first: 保存 becomes the next step.
    // (A new form's 提交审批 posts the form itself, so it stays the main button there.)
    if (submitBtn) {
      submitBtn.disabled = true;
      submitBtn.title = submitBtn.dataset.dirtyTitle || "";
      if (saveBtn) { saveBtn.classList.remove("btn-light"); saveBtn.classList.add("btn-primary"); }
    }
  }
  if (docForm) {
    docForm.addEventListener("input", markDirty);
    docForm.addEventListener("change", markDirty);
    docForm.addEventListener("submit", function () { leaving = true; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !leaving) { event.preventDefault(); event.returnValue = ""; }
    });
  }

  /* ---------- child-table grid ---------- */
  function gridRows(grid) {
    return Array.prototype.slice.call(grid.querySelectorAll("tbody > tr.grid-row"));
  }

  function renumber(grid) {
    var prefix = grid.dataset.prefix;
    var pattern = new RegExp("^(f-)?" + prefix + "-(\\d+|__prefix__)-");
    gridRows(grid).forEach(function (row, i) {
      row.querySelector(".row-no").textContent = String(i + 1);
      row.querySelectorAll("[name],[id],label[for]").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value && pattern.test(value)) {
            el.setAttribute(attr, value.replace(pattern, "$1" + prefix + "-" + i + "-"));
          }
        });
      });
    });
  }

  function cellNumber(row, field) {
    var cell = row.querySelector('[data-field="' + field + '"]');
    if (!cell) return null;
    var input = cell.querySelector("input:not([type=hidden]), select");
    if (input) return parseNumber(input.value);
    var shown = cell.querySelector(".cell-value");
    return shown ? parseNumber(shown.textContent) : null;
  }

  // Column totals of what the rows show; computed cells (amount = qty × rate…) are the
  // DocType's formulas, which form_rules.js fills and totals as the user types.
  function recompute(grid) {
    var rows = gridRows(grid);
    grid.querySelectorAll("tfoot [data-total-for]").forEach(function (cell) {
      var sum = 0;
      rows.forEach(function (row) {
        var n = cellNumber(row, cell.dataset.totalFor);
        if (n !== null) sum += n;
      });
      cell.querySelector(".total-value").textContent = money(sum);
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".grid-add, .row-up, .row-down, .row-remove");
    if (!button) return;
    var grid = button.closest(".desk-grid");
    var tbody = grid.querySelector("tbody");
    var row = button.closest("tr.grid-row");
    if (button.classList.contains("grid-add")) {
      var template = grid.querySelector("template.grid-row-template");
      var html = template.innerHTML.replace(/__prefix__/g, String(gridRows(grid).length));
      tbody.insertAdjacentHTML("beforeend", html);
      renumber(grid);
      var rows = gridRows(grid);
      var first = rows[rows.length - 1].querySelector("input:not([type=hidden]), select");
      if (first) first.focus();
    } else if (button.classList.contains("row-up") && row.previousElementSibling) {
      tbody.insertBefore(row, row.previousElementSibling);
      renumber(grid);
    } else if (button.classList.contains("row-down") && row.nextElementSibling) {
      tbody.insertBefore(row.nextElementSibling, row);
      renumber(grid);
    } else if (button.classList.contains("row-remove")) {
      row.remove();
      renumber(grid);
    }
    recompute(grid);
    // A row added, moved or removed changes the document as an edited field does: whatever
    // follows the form (the route planned from it, the dirty mark) hears it the same way.
    grid.dispatchEvent(new Event("change", { bubbles: true }));
  });

  document.addEventListener("input", function (event) {
    var grid = event.target.closest && event.target.closest(".desk-grid");
    if (grid) recompute(grid);
  });

  /* ---------- link fields: search as you type ---------- */
  var menu = document.createElement("div");
  menu.className = "link-menu list-group shadow";
  menu.setAttribute("role", "listbox");
  menu.hidden = true;
  document.body.appendChild(menu);
  var activeInput = null;
  var searchTimer = null;
  var searchSeq = 0;

  function placeMenu() {
    if (!activeInput) return;
    var rect = activeInput.getBoundingClientRect();
    // The room down to what covers the screen's bottom (a phone's action bar, kept above the
    // menu so 提交审批 stays in reach); with too little, the menu opens above the input.
    var floor = window.innerHeight;
    document.querySelectorAll(".desk-tabbar, .form-actions").forEach(function (bar) {
      var box = bar.getBoundingClientRect();
      if (box.height && getComputedStyle(bar).position === "fixed") floor = Math.min(floor, box.top);
    });
    var below = floor - rect.bottom - 6;
    var above = rect.top - 64;
    menu.style.position = "fixed";
    menu.style.left = rect.left + "px";
    menu.style.width = Math.max(rect.width, 240) + "px";
    menu.style.right = "auto";
    if (below < 160 && above > below) {
      menu.style.top = "auto";
      menu.style.bottom = window.innerHeight - rect.top + 2 + "px";
      menu.style.maxHeight = Math.min(280, above) + "px";
    } else {
      menu.style.bottom = "auto";
      menu.style.top = rect.bottom + 2 + "px";
      menu.style.maxHeight = Math.min(280, Math.max(below, 120)) + "px";
    }
  }

  function closeMenu() {
    menu.hidden = true;
    menu.innerHTML = "";
    if (activeInput) activeInput.setAttribute("aria-expanded", "false");
  }

  /* Fill what the form takes from the picked record (fetch_from): read-only fields always,
     inputs when empty or still holding what the previous pick brought, never what was typed.
     The server does the same on save. */
  function eachFetched(input, record, fill) {
    var map = JSON.parse(input.closest(".link-field").dataset.fetch || "{}");
    var row = input.closest("tr.grid-row");
    var scope = row || input.form;
    Object.keys(map).forEach(function (own) {
      var value = record[map[own]] == null ? "" : String(record[map[own]]);
      var place = scope && scope.querySelector(row ? 'td[data-field="' + own + '"]' : '.desk-field[data-fieldname="' + own + '"]');
      if (place) fill(place, place.querySelector("input:not([type=hidden]), select, textarea"), value, row);
    });
  }

  function fillFetched(input, record) {
    eachFetched(input, record, function (place, target, value, row) {
      if (!target) {
        var text = place.querySelector(".cell-value, .readonly-value");
        if (text) text.textContent = value || (row ? "" : "—");
      } else if (target.value === "" || target.value === target.dataset.fetched) {
        target.value = target.dataset.fetched = value;
        target.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
  }

  // A saved form: inputs still holding what their link's record holds count as fetched, so
  // picking another record replaces them too.
  document.querySelectorAll(".link-field[data-record] .link-input").forEach(function (input) {
    eachFetched(input, JSON.parse(input.closest(".link-field").dataset.record), function (place, target, value) {
      if (target && value !== "" && target.value === value) target.dataset.fetched = value;
    });
  });

  // A link showing titles keeps the picked record's code in a hidden input beside it.
  function linkValue(input) {
    return input.closest(".link-field").querySelector(".link-value");
  }

  function choose(item) {
    if (!activeInput || !item) return;
    var code = linkValue(activeInput);
    var hint = activeInput.closest(".link-field").querySelector(".link-hint");
    if (code) {
      code.value = item.dataset.value;
      activeInput.value = item.dataset.label;
    } else {
      activeInput.value = item.dataset.value;
      if (hint) hint.textContent = item.dataset.label !== item.dataset.value ? item.dataset.label : "";
    }
    if (item.dataset.fetch) fillFetched(activeInput, JSON.parse(item.dataset.fetch));
    // A search still pending from the last keystrokes must not reopen the menu over the form.
    clearTimeout(searchTimer);
    searchSeq += 1;
    activeInput.dispatchEvent(new Event("input", { bubbles: true }));
    activeInput.dispatchEvent(new Event("change", { bubbles: true }));
    closeMenu();
  }

  function search(input) {
    var form = input.closest("form[data-search-url]");
    if (!form) return;
    var field = input.closest(".link-field");
    var url = form.dataset.searchUrl + "?target=" + encodeURIComponent(field.dataset.target) +
      "&q=" + encodeURIComponent(input.value.trim());
    var seq = ++searchSeq;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (seq !== searchSeq || activeInput !== input) return;
        menu.innerHTML = "";
        (data.results || []).forEach(function (result, i) {
          var item = document.createElement("button");
          item.type = "button";
          item.className = "list-group-item list-group-item-action" + (i === 0 ? " active" : "");
          item.setAttribute("role", "option");
          item.dataset.value = result.value;
          item.dataset.label = result.label;
          if (result.fetch) item.dataset.fetch = JSON.stringify(result.fetch);
          var label = document.createElement("span");
          label.className = "lm-label";
          label.textContent = result.label;
          item.appendChild(label);
          if (result.description || result.label !== result.value) {
            var desc = document.createElement("span");
            desc.className = "lm-desc";
            desc.textContent = result.description || result.value;
            item.appendChild(desc);
          }
          menu.appendChild(item);
        });
        if (!menu.children.length) {
          var none = document.createElement("div");
          none.className = "list-group-item text-secondary small";
          none.textContent = data.error || (document.documentElement.lang.indexOf("en") === 0 ? "No matches" : "没有匹配的记录");
          menu.appendChild(none);
        }
        placeMenu();
        menu.hidden = false;
        input.setAttribute("aria-expanded", "true");
      })
      .catch(closeMenu);
  }

  document.addEventListener("focusin", function (event) {
    if (event.target.matches(".link-input")) {
      activeInput = event.target;
      search(activeInput);
    }
  });
  document.addEventListener("input", function (event) {
    if (!event.target.matches(".link-input") || !event.isTrusted) return;
    activeInput = event.target;
    var hint = activeInput.closest(".link-field").querySelector(".link-hint");
    if (hint) hint.textContent = "";
    // What is typed goes as it is: the server takes a code, or a title naming one record.
    var code = linkValue(activeInput);
    if (code) code.value = activeInput.value.trim();
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () { search(activeInput); }, 200);
  });
  document.addEventListener("keydown", function (event) {
    if (!event.target.matches(".link-input") || menu.hidden) return;
    var items = Array.prototype.slice.call(menu.querySelectorAll("button.list-group-item"));
    var current = items.findIndex(function (el) { return el.classList.contains("active"); });
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!items.length) return;
      var next = event.key === "ArrowDown" ? Math.min(current + 1, items.length - 1) : Math.max(current - 1, 0);
      items.forEach(function (el, i) { el.classList.toggle("active", i === next); });
      items[next].scrollIntoView({ block: "nearest" });
    } else if (event.key === "Enter") {
      event.preventDefault();
      choose(items[current]);
    } else if (event.key === "Escape") {
      closeMenu();
    }
  });
  menu.addEventListener("mousedown", function (event) { event.preventDefault(); });
  menu.addEventListener("click", function (event) {
    choose(event.target.closest("button.list-group-item"));
  });
  document.addEventListener("focusout", function (event) {
    if (event.target === activeInput) setTimeout(function () {
      if (document.activeElement !== activeInput) closeMenu();
    }, 100);
  });
  window.addEventListener("resize", placeMenu);
  window.addEventListener("scroll", placeMenu, true);

  /* ---------- attachments ---------- */
  document.addEventListener("change", function (event) {
    if (!event.target.matches(".attach-file")) return;
    var input = event.target;
    var field = input.closest(".attach-field");
    var form = input.closest("form[data-upload-url]");
    var error = field.querySelector(".attach-error");
    if (!input.files.length || !form) return;
    var body = new FormData();
    body.append("file", input.files[0]);
    error.textContent = "";
    error.classList.remove("d-block");
    fetch(form.dataset.uploadUrl, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": csrfToken(form), Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.error || !data.url) {
          error.textContent = data.error || "上传失败";
          error.classList.add("d-block");
          return;
        }
        field.querySelector(".attach-value").value = data.url;
        var link = field.querySelector(".attach-link");
        link.href = data.url;
        link.querySelector("span").textContent = data.filename;
        link.hidden = false;
        field.querySelector(".attach-clear").hidden = false;
        markDirty();
      })
      .catch(function () { error.textContent = "上传失败"; error.classList.add("d-block"); })
      .finally(function () { input.value = ""; });
  });
  document.addEventListener("click", function (event) {
    var clear = event.target.closest(".attach-clear");
    if (!clear) return;
    var field = clear.closest(".attach-field");
    field.querySelector(".attach-value").value = "";
    field.querySelector(".attach-link").hidden = true;
    clear.hidden = true;
    markDirty();
  });

  /* ---------- phones: more filters behind a button ---------- */
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".filter-toggle");
    if (!toggle) return;
    var more = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = more.classList.toggle("show");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });

  /* ---------- a page's own 打印 button (e.g. the first passwords of an import) ---------- */
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print-page]")) window.print();
  });

  /* ---------- list rows open their document ---------- */
  document.addEventListener("click", function (event) {
    var row = event.target.closest("tr[data-href]");
    if (!row || event.target.closest("a, button, input, select, label")) return;
    window.location.href = row.dataset.href;
  });

  /* ---------- a value the server fills in when left blank ---------- */
  // E.g. a refund's rate per meal: the standard in force in the month picked. The box shows it
  // greyed, and the form's formulas count with it (form_rules.js reads the placeholder).
  function showBlankFills() {
    document.querySelectorAll("input[data-blank-by]").forEach(function (input) {
      var by = input.form && input.form.querySelector('[name="' + input.dataset.blankBy + '"]');
      var key = by ? by.value : "";
      var value = "";
      JSON.parse(input.dataset.blankSteps || "[]").forEach(function (step) {
        if (key && step[0] <= key) value = step[1];
      });
      input.placeholder = value;
    });
  }
  document.addEventListener("input", showBlankFills);
  document.addEventListener("change", showBlankFills);
  showBlankFills();

  /* ---------- after a failed save, show what to fix ---------- */
  var summary = document.querySelector(".error-summary");
  if (summary) summary.focus({ preventScroll: false });

  document.querySelectorAll(".desk-grid").forEach(function (grid) {
    if (grid.classList.contains("is-editable")) recompute(grid);
  });

  /* ---------- designed forms: live formulas and show/required-if rules ---------- */
  var formPath = docForm ? (docForm.getAttribute("action") || "").split("/") : [];
  if (formPath[1] === "app" && formPath[2]) {
    var rulesUrl = "/app/designer/rules/" + formPath[2] +
      (formPath[3] && formPath[3] !== "new" ? "?doc=" + encodeURIComponent(decodeURIComponent(formPath[3])) : "");
    fetch(rulesUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : {}; })
      .then(function (data) {
        if (!data || !data.script) return;  // most forms have no rules: nothing more to load
        window.SchoolFormRules = data;
        var script = document.createElement("script");
        script.src = data.script;
        document.body.appendChild(script);
      })
      .catch(function () {});
  }
})();
