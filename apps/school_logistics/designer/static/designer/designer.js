/* The DocType designer: a draft definition edited in the page, previewed and saved by the server. */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("designer-config").textContent);
  const text = JSON.parse(document.getElementById("designer-text").textContent);
  const def = cfg.definition;
  const LAYOUT = new Set(["Section Break", "Column Break"]);
  const typeLabels = Object.fromEntries(cfg.types);
  const shipped = new Set(cfg.shipped);
  const overridable = new Set(cfg.overridable);
  let selected = -1;
  let dragFrom = -1;
  let dirty = false;
  let previewTimer = null;
  let previewSeq = 0;

  def.fields = def.fields || [];
  def.permissions = def.permissions || [];
  def.fields.forEach((f) => { f._orig = f.fieldname; });

  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const el = (tag, attrs, kids) => {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    });
    (kids || []).forEach((kid) => node.appendChild(kid));
    return node;
  };
  const csrf = () => JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  const isShipped = (f) => cfg.builtin && shipped.has(f._orig || "");

  function changed() {
    dirty = true;
    clearTimeout(previewTimer);
    previewSeq += 1;  // a preview still on its way shows an older draft: drop it
    $("#preview").setAttribute("aria-busy", "true");  // dimmed until the new form is shown
    previewTimer = setTimeout(preview, 350);
  }

  /* --- the field list ------------------------------------------------------------------ */

  function title(f) {
    if (f.fieldtype === "Section Break") return f.label ? text.section + "：" + f.label : text.section;
    if (f.fieldtype === "Column Break") return text.column;
    return f.label || f.fieldname || text.newField;
  }

  function visibleIndexes() {
    return def.fields.map((f, i) => (f.removed ? -1 : i)).filter((i) => i >= 0);
  }

  function move(from, to) {
    if (from === to || to < 0 || to >= def.fields.length) return;
    const [f] = def.fields.splice(from, 1);
    def.fields.splice(to, 0, f);
    if (selected === from) selected = to;
    else if (from < selected && to >= selected) selected -= 1;
    else if (from > selected && to <= selected) selected += 1;
    renderList();
    changed();
  }

  function step(i, delta) {
    const order = visibleIndexes();
    const at = order.indexOf(i);
    const target = order[at + delta];
    if (target !== undefined) move(i, target);
  }

  function removeField(i) {
    const f = def.fields[i];
    if (isShipped(f)) {
      f.hidden = f.hidden ? 0 : 1;
    } else if (!f._orig || LAYOUT.has(f.fieldtype)) {
      def.fields.splice(i, 1);
      selected = -1;
    } else {
      f.removed = 1;
      f.hidden = 1;
      selected = -1;
    }
    renderList();
    renderPanel();
    changed();
  }

  function fieldItem(i) {
    const f = def.fields[i];
    const layout = LAYOUT.has(f.fieldtype);
    const badges = [el("span", { class: "df-type", text: typeLabels[f.fieldtype] || f.fieldtype })];
    if (f.reqd) badges.push(el("span", { class: "df-flag", text: text.required }));
    if (f.hidden) badges.push(el("span", { class: "df-flag", text: text.hidden }));
    const item = el("li", {
      class: "df-item" + (layout ? " df-layout df-" + (f.fieldtype === "Column Break" ? "column" : "section") : "") + (i === selected ? " active" : ""),
      draggable: "true",
      "data-index": String(i),
      "data-fieldname": f.fieldname,
    }, [
      el("span", { class: "df-grip", "aria-hidden": "true" }, [el("i", { class: "fa-solid fa-grip-vertical" })]),
      el("button", { type: "button", class: "df-name btn btn-link", text: title(f), onclick: () => select(i) }),
      ...badges,
      el("span", { class: "df-actions" }, [
        el("button", { type: "button", class: "btn btn-sm btn-icon df-up", title: text.up, "aria-label": text.up + " " + title(f), onclick: () => step(i, -1) }, [el("i", { class: "fa-solid fa-arrow-up" })]),
        el("button", { type: "button", class: "btn btn-sm btn-icon df-down", title: text.down, "aria-label": text.down + " " + title(f), onclick: () => step(i, 1) }, [el("i", { class: "fa-solid fa-arrow-down" })]),
        el("button", { type: "button", class: "btn btn-sm btn-icon df-remove text-danger", title: isShipped(f) ? text.hide : text.remove, "aria-label": (isShipped(f) ? text.hide : text.remove) + " " + title(f), onclick: () => removeField(i) }, [el("i", { class: isShipped(f) ? "fa-regular fa-eye-slash" : "fa-solid fa-trash-can" })]),
      ]),
    ]);
    // The whole row picks its field, not only the name: the rest of the row looked clickable.
    item.addEventListener("click", (e) => { if (!e.target.closest("button")) select(i); });
    item.addEventListener("dragstart", (e) => { dragFrom = i; item.classList.add("dragging"); e.dataTransfer.effectAllowed = "move"; e.dataTransfer.setData("text/plain", String(i)); });
    item.addEventListener("dragend", () => { item.classList.remove("dragging"); $$(".drop-target").forEach((n) => n.classList.remove("drop-target")); });
    item.addEventListener("dragover", (e) => { e.preventDefault(); item.classList.add("drop-target"); });
    item.addEventListener("dragleave", () => item.classList.remove("drop-target"));
    item.addEventListener("drop", (e) => {
      e.preventDefault();
      const from = dragFrom >= 0 ? dragFrom : Number(e.dataTransfer.getData("text/plain"));
      dragFrom = -1;
      move(from, i);
    });
    return item;
  }

  function renderList() {
    const list = $("#field-list");
    list.textContent = "";
    visibleIndexes().forEach((i) => list.appendChild(fieldItem(i)));
    const removed = def.fields.map((f, i) => [f, i]).filter(([f]) => f.removed);
    $("#removed-fields").hidden = removed.length === 0;
    const ul = $("#removed-fields ul");
    ul.textContent = "";
    removed.forEach(([f, i]) => {
      ul.appendChild(el("li", { class: "d-flex align-items-center gap-2" }, [
        el("span", { text: title(f) + "（" + f.fieldname + "）" }),
        el("button", { type: "button", class: "btn btn-sm btn-link df-restore", text: text.restore, onclick: () => { f.removed = 0; f.hidden = 0; renderList(); changed(); } }),
      ]));
    });
    renderFieldChoices();
  }

  /* --- the property panel -------------------------------------------------------------- */

  function select(i) {
    selected = i;
    renderList();
    renderPanel();
  }

  function renderPanel() {
    const f = def.fields[selected];
    $("#panel-empty").hidden = !!f;
    $("#panel-form").hidden = !f;
    if (!f) return;
    const builtinField = isShipped(f);
    $("#panel-builtin-note").hidden = !builtinField;
    $$("[data-fprop]").forEach((input) => {
      const prop = input.dataset.fprop;
      const value = f[prop];
      if (input.type === "checkbox") input.checked = !!value;
      else input.value = value === undefined || value === null ? "" : String(value);
      input.disabled = builtinField && !overridable.has(prop);
    });
    $$("[data-for-types]").forEach((box) => {
      box.hidden = !box.dataset.forTypes.split(",").includes(f.fieldtype);
      $$("[data-fprop]", box).forEach((input) => { input.disabled = box.hidden || (builtinField && !overridable.has(input.dataset.fprop)); });
    });
    $$("[data-value-only]").forEach((box) => { box.hidden = LAYOUT.has(f.fieldtype); });
    $$("[data-no-table]").forEach((box) => { box.hidden = LAYOUT.has(f.fieldtype) || f.fieldtype === "Table"; });
    renderRules(f, builtinField);
    renderFetchChoices(f);
    if (f.fieldtype === "Section Break") $("#p-label").closest("div").hidden = false;
  }

  /* 取值来源 suggestions: every "link field.field" this form's Link fields can bring. */
  function renderFetchChoices(f) {
    const list = $("#fetch-choices");
    list.textContent = "";
    def.fields.filter((o) => o.fieldtype === "Link" && !o.removed && o !== f).forEach((link) => {
      (cfg.fetchable[link.options] || []).forEach(([name, label]) => {
        list.appendChild(el("option", { value: `${link.fieldname}.${name}`, text: `${link.label || link.fieldname} → ${label}` }));
      });
    });
  }

  /* Show/required-if rules: rows of (field, operator, value), all of which must hold. */
  const VALUELESS = new Set(["is set", "is not set"]);

  function renderRules(f, locked) {
    $$(".rule-list").forEach((list) => {
      const prop = list.dataset.rule;
      const rules = (f[prop] && f[prop].all) || [];
      list.textContent = "";
      const choices = def.fields.filter((o) => !LAYOUT.has(o.fieldtype) && o.fieldtype !== "Table" && !o.removed && o !== f);
      rules.forEach((rule, r) => {
        const field = el("select", { class: "form-select form-select-sm rule-field", "aria-label": text.field });
        choices.forEach((o) => field.appendChild(el("option", { value: o.fieldname, text: o.label || o.fieldname })));
        field.value = rule.field;
        const op = el("select", { class: "form-select form-select-sm rule-op", "aria-label": text.op });
        cfg.ops.forEach(([code, label]) => op.appendChild(el("option", { value: code, text: label })));
        op.value = rule.op;
        const value = el("input", { class: "form-control form-control-sm rule-value", "aria-label": text.value, value: rule.value || "" });
        value.hidden = VALUELESS.has(rule.op);
        const update = () => {
          rule.field = field.value; rule.op = op.value; rule.value = value.value;
          value.hidden = VALUELESS.has(rule.op);
          changed();
        };
        [field, op, value].forEach((n) => { n.disabled = locked; n.addEventListener("change", update); n.addEventListener("input", update); });
        const drop = el("button", { type: "button", class: "btn btn-sm btn-link text-danger rule-drop", text: text.drop, onclick: () => {
          rules.splice(r, 1);
          f[prop] = rules.length ? { all: rules } : undefined;
          renderRules(f, locked);
          changed();
        } });
        drop.disabled = locked;
        list.appendChild(el("div", { class: "d-flex gap-1 mb-1 rule-row" }, [field, op, value, drop]));
      });
    });
    $$(".rule-add").forEach((b) => { b.disabled = locked; });
  }

  function addRule(prop) {
    const f = def.fields[selected];
    if (!f) return;
    const first = def.fields.find((o) => !LAYOUT.has(o.fieldtype) && o.fieldtype !== "Table" && !o.removed && o !== f);
    if (!first) return;
    const rules = (f[prop] && f[prop].all) || [];
    rules.push({ field: first.fieldname, op: "==", value: "" });
    f[prop] = { all: rules };
    renderRules(f, false);
    changed();
  }

  function onPanelInput(e) {
    if (e.target.closest(".rule-list")) return;  // rule rows keep their own state
    const input = e.target.closest("[data-fprop]");
    const f = def.fields[selected];
    if (!input || !f || input.disabled) return;
    const prop = input.dataset.fprop;
    let value = input.type === "checkbox" ? (input.checked ? 1 : 0) : input.value;
    if (prop === "fieldname") {
      value = value.toLowerCase().replace(/[^a-z0-9_]/g, "_");
      if (value !== input.value) input.value = value;
    }
    // A text box's change event comes on blur, i.e. at the mouse press on the next field;
    // redrawing then would swap the pressed button out and the click would be lost.
    if (f[prop] === value) return;
    f[prop] = value;
    if (prop === "formula") {
      f.read_only = value.trim() ? 1 : 0;  // a computed field is not typed in
      $("#p-read_only").checked = !!f.read_only;
    }
    if (prop === "fieldtype") {
      if (value === "Link" && !cfg.links.includes(f.options)) f.options = cfg.links[0] || "";
      if (value === "Table" && !cfg.tables.includes(f.options)) f.options = cfg.tables[0] || "";
      if (value !== "Select" && value !== "Link" && value !== "Table") delete f.options;
      renderPanel();
    }
    refreshItem(selected);
    changed();
  }

  /* Redraw only the edited field's row: the others keep their nodes, so a click on one lands. */
  function refreshItem(i) {
    const old = $('#field-list .df-item[data-index="' + i + '"]');
    if (old) old.replaceWith(fieldItem(i));
    else renderList();
    renderFieldChoices();
  }

  function fillChoices() {
    const typeSelect = $("#p-fieldtype");
    const addType = $("#add-type");
    cfg.types.forEach(([code, label]) => {
      typeSelect.appendChild(el("option", { value: code, text: label }));
      if (!LAYOUT.has(code)) addType.appendChild(el("option", { value: code, text: label }));
    });
    $$("[data-choices]").forEach((select) => {
      cfg[select.dataset.choices].forEach((name) => select.appendChild(el("option", { value: name, text: cfg.choiceLabels[name] || name })));
    });
  }

  function uniqueName(base) {
    const names = new Set(def.fields.map((f) => f.fieldname));
    let n = 1;
    while (names.has(base + "_" + n)) n += 1;
    return base + "_" + n;
  }

  function addField(fieldtype) {
    const layout = LAYOUT.has(fieldtype);
    const base = fieldtype === "Section Break" ? "section" : fieldtype === "Column Break" ? "column" : "field";
    const f = { fieldname: uniqueName(base), fieldtype: fieldtype };
    if (!layout) f.label = text.newField;
    if (fieldtype === "Select") f.options = "";
    if (fieldtype === "Link") f.options = cfg.links[0] || "";
    if (fieldtype === "Table") f.options = cfg.tables[0] || "";
    const at = selected >= 0 ? selected + 1 : def.fields.length;
    def.fields.splice(at, 0, f);
    select(at);
    changed();
    if (!layout) { const label = $("#p-label"); label.focus(); label.select(); }
  }

  /* --- DocType settings and permissions ------------------------------------------------ */

  function renderFieldChoices() {
    $$("[data-field-choice]").forEach((select) => {
      const types = select.dataset.fieldChoice.split(",");
      const current = def[select.dataset.prop] || "";
      select.textContent = "";
      select.appendChild(el("option", { value: "", text: text.none }));
      def.fields.filter((f) => types.includes(f.fieldtype) && !f.removed).forEach((f) => {
        select.appendChild(el("option", { value: f.fieldname, text: f.label || f.fieldname }));
      });
      select.value = current;
    });
  }

  function bindSettings() {
    $$("[data-prop]").forEach((input) => {
      const prop = input.dataset.prop;
      if (input.type === "checkbox") input.checked = !!def[prop];
      else if (input.tagName !== "SELECT") input.value = def[prop] || "";
      if (cfg.builtin && input.hasAttribute("data-fixed-builtin")) input.disabled = true;
      input.addEventListener("input", () => {
        def[prop] = input.type === "checkbox" ? (input.checked ? 1 : 0) : input.value;
        changed();
      });
    });
  }

  function renderPermissions() {
    const grid = $("#perm-grid");
    if (!grid) return;
    const head = el("tr", {}, [el("th", { text: text.role })]);
    cfg.rights.forEach(([, label]) => head.appendChild(el("th", { class: "text-center", text: label })));
    head.appendChild(el("th", { class: "text-center", text: text.ownOnly }));
    head.appendChild(el("th", { class: "text-center", text: text.departmentOnly }));
    head.appendChild(el("th", {}, [el("span", { class: "visually-hidden", text: text.drop })]));
    $("thead", grid).replaceChildren(head);
    const body = $("tbody", grid);
    body.textContent = "";
    def.permissions.forEach((perm, r) => {
      const role = el("select", { class: "form-select form-select-sm perm-role", "aria-label": text.role });
      cfg.roles.forEach(([code, label]) => role.appendChild(el("option", { value: code, text: label })));
      role.value = perm.role;
      role.addEventListener("change", () => { perm.role = role.value; changed(); });
      const row = el("tr", { "data-role": perm.role }, [el("td", {}, [role])]);
      cfg.rights.map(([p]) => p).concat(["if_owner", "if_department"]).forEach((p) => {
        const box = el("input", { type: "checkbox", class: "form-check-input", "data-right": p, "aria-label": perm.role + " " + p });
        box.checked = !!perm[p];
        box.addEventListener("change", () => { perm[p] = box.checked ? 1 : 0; changed(); });
        row.appendChild(el("td", { class: "text-center" }, [box]));
      });
      row.appendChild(el("td", {}, [el("button", { type: "button", class: "btn btn-sm btn-link text-danger", text: text.drop, onclick: () => { def.permissions.splice(r, 1); renderPermissions(); changed(); } })]));
      body.appendChild(row);
    });
  }

  /* --- preview and save ---------------------------------------------------------------- */

  function payload() {
    const clean = JSON.parse(JSON.stringify(def));
    const renames = {};
    clean.fields.forEach((f) => {
      if (f._orig && f._orig !== f.fieldname && !(cfg.builtin && shipped.has(f._orig))) renames[f._orig] = f.fieldname;
      delete f._orig;
    });
    return { definition: clean, renames: renames };
  }

  function post(url) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(payload()),
      credentials: "same-origin",
    });
  }

  function preview() {
    const seq = ++previewSeq;
    const box = $("#preview");
    box.setAttribute("aria-busy", "true");
    post(cfg.urls.preview).then((r) => r.text()).then((html) => {
      if (seq !== previewSeq) return;  // a later change's preview is on its way
      const frames = ["#preview-desktop", "#preview-phone"].map((id) => $(id));
      let loading = frames.length;
      frames.forEach((frame) => {
        frame.addEventListener("load", () => {
          loading -= 1;
          if (loading === 0 && seq === previewSeq) box.removeAttribute("aria-busy");
        }, { once: true });
        frame.srcdoc = html;
      });
    }).catch(() => { if (seq === previewSeq) box.removeAttribute("aria-busy"); });
  }

  function showErrors(errors) {
    const box = $("#designer-errors");
    const ul = $("ul", box);
    ul.textContent = "";
    $$(".df-invalid").forEach((n) => n.classList.remove("df-invalid"));
    Object.entries(errors).forEach(([key, msgs]) => {
      msgs.forEach((m) => ul.appendChild(el("li", { text: m })));
      const name = key.startsWith("fields.") ? key.slice(7) : "";
      const item = name && $('.df-item[data-fieldname="' + CSS.escape(name) + '"]');
      if (item) item.classList.add("df-invalid");
    });
    box.hidden = false;
    box.focus();
  }

  function save() {
    const button = $("#btn-save-doctype");
    button.disabled = true;
    post(cfg.urls.save).then((r) => r.json().then((data) => ({ status: r.status, data: data })))
      .then(({ data }) => {
        if (data.ok) { dirty = false; window.location.assign(data.redirect); return; }
        showErrors(data.errors || { __all__: [text.saveFailed] });
      })
      .catch(() => showErrors({ __all__: [text.saveFailed] }))
      .finally(() => { button.disabled = false; });
  }

  fillChoices();
  bindSettings();
  renderList();
  renderPanel();
  renderPermissions();
  preview();
  $("#panel-form").addEventListener("input", onPanelInput);
  $("#panel-form").addEventListener("change", onPanelInput);
  $("#btn-add-field").addEventListener("click", () => addField($("#add-type").value));
  $("#btn-add-section").addEventListener("click", () => addField("Section Break"));
  $("#btn-add-column").addEventListener("click", () => addField("Column Break"));
  $("#btn-save-doctype").addEventListener("click", save);
  $$(".rule-add").forEach((b) => b.addEventListener("click", () => addRule(b.dataset.rule)));
  const addPerm = $("#btn-add-perm");
  if (addPerm) addPerm.addEventListener("click", () => { def.permissions.push({ role: cfg.roles[0][0], read: 1 }); renderPermissions(); changed(); });
  window.addEventListener("beforeunload", (e) => { if (dirty) { e.preventDefault(); e.returnValue = text.unsaved; } });
})();
