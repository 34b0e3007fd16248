/* Designed forms in the browser: formulas computed as you type, fields shown or required by rules.
   Same grammar as the server's evaluator (designer/formulas.py); the server's value wins on save. */
(function () {
  "use strict";

  /* ---------- the formula grammar: tokens, a small recursive-descent parser, evaluation ---------- */
  var TOKEN = /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|([A-Za-z_][A-Za-z0-9_]*)|(\*\*|==|!=|<=|>=|[-+*\/%<>().,]))/y;

  function tokenize(src) {
    var out = [];
    TOKEN.lastIndex = 0;
    while (TOKEN.lastIndex < src.length) {
      if (/^\s*$/.test(src.slice(TOKEN.lastIndex))) break;
      var m = TOKEN.exec(src);
      if (!m) throw new Error("syntax");
      if (m[1] !== undefined) out.push({ t: "num", v: parseFloat(m[1]) });
      else if (m[2] !== undefined) out.push({ t: "str", v: m[2].slice(1, -1).replace(/\\(.)/g, "$1") });
      else if (m[3] !== undefined) out.push({ t: "name", v: m[3] });
      else out.push({ t: "op", v: m[4] });
    }
    return out;
  }

  function parse(src) {
    var toks = tokenize(src);
    var i = 0;
    function peek(v) { var k = toks[i]; return k && (k.t === "op" || k.t === "name") && k.v === v; }
    function eat(v) { if (!peek(v)) throw new Error("expected " + v); i += 1; }
    function ifexp() {
      var body = or();
      if (peek("if")) { i += 1; var cond = or(); eat("else"); var other = ifexp(); return { k: "if", c: cond, a: body, b: other }; }
      return body;
    }
    function or() { var n = and(); while (peek("or")) { i += 1; n = { k: "or", a: n, b: and() }; } return n; }
    function and() { var n = not(); while (peek("and")) { i += 1; n = { k: "and", a: n, b: not() }; } return n; }
    function not() { if (peek("not")) { i += 1; return { k: "not", a: not() }; } return cmp(); }
    function cmp() {
      var n = sum();
      var ops = ["==", "!=", "<", "<=", ">", ">="];
      var chain = null;
      while (toks[i] && toks[i].t === "op" && ops.indexOf(toks[i].v) >= 0) {
        var op = toks[i].v; i += 1;
        var right = sum();
        var one = { k: "cmp", op: op, a: chain ? chain.last : n, b: right };
        chain = chain ? { node: { k: "and", a: chain.node, b: one }, last: right } : { node: one, last: right };
      }
      return chain ? chain.node : n;
    }
    function sum() {
      var n = term();
      while (peek("+") || peek("-")) { var op = toks[i].v; i += 1; n = { k: "bin", op: op, a: n, b: term() }; }
      return n;
    }
    function term() {
      var n = unary();
      while (peek("*") || peek("/") || peek("%")) { var op = toks[i].v; i += 1; n = { k: "bin", op: op, a: n, b: unary() }; }
      return n;
    }
    function unary() {
      if (peek("-")) { i += 1; return { k: "neg", a: unary() }; }
      if (peek("+")) { i += 1; return unary(); }
      return power();
    }
    function power() {
      var n = atom();
      if (peek("**")) { i += 1; return { k: "bin", op: "**", a: n, b: unary() }; }
      return n;
    }
    function atom() {
      var tok = toks[i];
      if (!tok) throw new Error("end");
      i += 1;
      if (tok.t === "num") return { k: "lit", v: tok.v };
      if (tok.t === "str") return { k: "lit", v: tok.v };
      if (tok.t === "op" && tok.v === "(") { var inner = ifexp(); eat(")"); return inner; }
      if (tok.t !== "name") throw new Error("unexpected");
      if (tok.v === "True") return { k: "lit", v: true };
      if (tok.v === "False") return { k: "lit", v: false };
      if (tok.v === "None") return { k: "lit", v: null };
      if (peek("(")) {
        i += 1;
        var args = [];
        if (!peek(")")) { args.push(ifexp()); while (peek(",")) { i += 1; args.push(ifexp()); } }
        eat(")");
        return { k: "call", f: tok.v, args: args };
      }
      if (peek(".")) { i += 1; var col = toks[i]; i += 1; if (!col || col.t !== "name") throw new Error("column"); return { k: "col", t: tok.v, c: col.v }; }
      return { k: "name", v: tok.v };
    }
    var tree = ifexp();
    if (i !== toks.length) throw new Error("trailing");
    return tree;
  }

  /* Half up (四舍五入) on the decimal digits, as the server's Decimal does: 1.005 → 1.01 and
     1.1 * 1.15 → 1.27, where plain float rounding gives 1.00 and 1.26. */
  function roundHalfUp(x, places) {
    if (typeof x !== "number" || !isFinite(x)) return x;
    var digits = Number(Math.abs(x).toPrecision(15));  // drops the binary noise past 15 digits
    var text = String(digits);
    var rounded = text.indexOf("e") >= 0
      ? Math.round(digits * Math.pow(10, places)) / Math.pow(10, places)
      : Number(Math.round(Number(text + "e" + places)) + "e-" + places);
    return x < 0 ? -rounded : rounded;
  }

  function nums(args) {
    var items = [].concat.apply([], args);  // columns and single values mix
    return items.filter(function (v) { return v !== null && v !== "" && v !== undefined; }).map(Number);
  }
  function isDate(v) { return v instanceof Date; }
  var FUNCTIONS = {
    round: function (x, n) { return x === null ? null : roundHalfUp(x, n || 0); },
    abs: function (x) { return x === null ? null : Math.abs(x); },
    min: function () { var a = nums([].slice.call(arguments)); return a.length ? Math.min.apply(null, a) : null; },
    max: function () { var a = nums([].slice.call(arguments)); return a.length ? Math.max.apply(null, a) : null; },
    sum: function () { return nums([].slice.call(arguments)).reduce(function (s, v) { return s + v; }, 0); },
    avg: function () { var a = nums([].slice.call(arguments)); return a.length ? a.reduce(function (s, v) { return s + v; }, 0) / a.length : null; },
    count: function () { return nums([].slice.call(arguments)).length; },
    days_between: function (a, b) { return isDate(a) && isDate(b) ? Math.round((b - a) / 864e5 * 100) / 100 : null; },
    hours_between: function (a, b) { return isDate(a) && isDate(b) ? Math.round((b - a) / 36e5 * 100) / 100 : null; },
    add_days: function (d, n) { return isDate(d) && n !== null ? new Date(d.getTime() + n * 864e5) : null; },
    add_hours: function (d, n) { return isDate(d) && n !== null ? new Date(d.getTime() + n * 36e5) : null; },
    today: function () { var d = new Date(); return new Date(d.getFullYear(), d.getMonth(), d.getDate()); },
    now: function () { return new Date(); },
  };

  function evaluate(node, names) {
    switch (node.k) {
      case "lit": return node.v;
      case "name":
        if (!(node.v in names)) throw new Error("name");
        return names[node.v];
      case "col":
        if (!names[node.t] || !Object.prototype.hasOwnProperty.call(names[node.t], node.c)) throw new Error("column");
        return names[node.t][node.c];
      case "neg": { var v = evaluate(node.a, names); return v === null ? null : -v; }
      case "not": return !evaluate(node.a, names);
      case "and": return evaluate(node.a, names) && evaluate(node.b, names);
      case "or": return evaluate(node.a, names) || evaluate(node.b, names);
      case "if": return evaluate(node.c, names) ? evaluate(node.a, names) : evaluate(node.b, names);
      case "call":
        if (!FUNCTIONS[node.f]) throw new Error("function");
        return FUNCTIONS[node.f].apply(null, node.args.map(function (a) { return evaluate(a, names); }));
      case "cmp": {
        var a = evaluate(node.a, names), b = evaluate(node.b, names);
        if (isDate(a)) a = a.getTime();
        if (isDate(b)) b = b.getTime();
        if (node.op === "==") return a === b;
        if (node.op === "!=") return a !== b;
        if (a === null || b === null) return false;
        return { "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b }[node.op];
      }
      case "bin": {
        var x = evaluate(node.a, names), y = evaluate(node.b, names);
        if (node.op === "+" && typeof x === "string" && typeof y === "string") return x + y;
        if (x === null || y === null) return null;
        if (typeof x !== "number" && typeof x !== "boolean") throw new Error("number");
        if (typeof y !== "number" && typeof y !== "boolean") throw new Error("number");
        x = Number(x); y = Number(y);
        switch (node.op) {
          case "+": return x + y;
          case "-": return x - y;
          case "*": return x * y;
          case "/": if (y === 0) throw new Error("zero"); return x / y;
          case "%": if (y === 0) throw new Error("zero"); return x % y;
          case "**": if (Math.abs(y) > 100) throw new Error("power"); return Math.pow(x, y);
        }
      }
    }
    throw new Error("node");
  }

  /* ---------- reading and writing the desk form ---------- */
  var PLACES = { Currency: 2, Float: 3, Percent: 2 };
  var NUMERIC = { Int: 1, Float: 1, Currency: 1, Percent: 1 };
  function pad(n) { return (n < 10 ? "0" : "") + n; }

  var CHECKED = ["1", "true", "on", "✓", "是", "yes"];

  function typed(text, type) {
    var value = String(text == null ? "" : text).trim();
    if (value === "" || value === "—") return null;
    if (NUMERIC[type]) return window.SchoolNumber.parse(value);  // the server's rule (desk.js)
    if (type === "Date") { var d = /^(\d{4})-(\d{2})-(\d{2})/.exec(value); return d ? new Date(+d[1], d[2] - 1, +d[3]) : null; }
    if (type === "Datetime") {
      var t = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})/.exec(value);
      return t ? new Date(+t[1], t[2] - 1, +t[3], +t[4], +t[5]) : null;
    }
    // A ticked box read from the page's text: 是 / Yes as the server shows it, ✓ as shown() does.
    if (type === "Check") return CHECKED.indexOf(value.toLowerCase()) >= 0 ? 1 : 0;
    return value;
  }

  function shown(value, type) {
    if (value === null || value === undefined || (typeof value === "number" && !isFinite(value))) return "";
    if (type === "Int") return String(Math.round(value));
    if (PLACES[type] !== undefined) {
      return Number(value).toLocaleString("en-US", { minimumFractionDigits: PLACES[type], maximumFractionDigits: PLACES[type] });
    }
    if (isDate(value)) {
      var day = value.getFullYear() + "-" + pad(value.getMonth() + 1) + "-" + pad(value.getDate());
      return type === "Date" ? day : day + " " + pad(value.getHours()) + ":" + pad(value.getMinutes());
    }
    if (type === "Check") return value ? "✓" : "";
    return String(value);
  }

  function inputValue(root, name, type) {
    var inputs = root.querySelectorAll('[name="' + name + '"]');
    if (!inputs.length) return undefined;
    var last = inputs[inputs.length - 1];
    if (last.type === "checkbox") return last.checked ? 1 : 0;
    // Left blank, a field the server fills counts as that value (desk.js shows it greyed).
    if (!last.value.trim() && last.dataset.blankBy) return typed(last.placeholder, type);
    return typed(last.value, type);
  }

  function start(form, rules) {
    var fields = rules.fields || {};
    var tables = rules.tables || {};
    var parsed = {};
    function tree(src) {
      if (!(src in parsed)) { try { parsed[src] = parse(src); } catch (e) { parsed[src] = null; } }
      return parsed[src];
    }
    var types = rules.types || {};
    var tableTypes = rules.table_types || {};
    function fieldType(name) { return types[name] || "Data"; }
    function topValues() {
      var values = {};
      form.querySelectorAll(".desk-field[data-fieldname]").forEach(function (wrap) {
        var name = wrap.dataset.fieldname;
        var value = inputValue(form, name, fieldType(name));
        if (value === undefined) {
          var ro = wrap.querySelector(".readonly-value");
          value = ro ? typed(ro.textContent, fieldType(name)) : null;
        }
        values[name] = value;
      });
      return values;
    }
    function rowValues(row, colTypes) {
      var values = {};
      row.querySelectorAll("td[data-field]").forEach(function (cell) {
        var name = cell.dataset.field;
        var input = cell.querySelector(".link-value") || cell.querySelector("input:not([type=hidden]), select");
        var text = cell.querySelector(".cell-value");
        if (input && input.type === "checkbox") values[name] = input.checked ? 1 : 0;
        else values[name] = typed(input ? input.value : text ? text.textContent : "", colTypes[name] || "Data");
      });
      Object.keys(colTypes).forEach(function (name) { if (!(name in values)) values[name] = null; });
      return values;
    }
    function compute(rulesOf, values, write) {
      Object.keys(rulesOf).forEach(function (name) {
        var rule = rulesOf[name];
        if (!rule.formula) return;
        var t = tree(rule.formula);
        var result = null;
        try { result = t ? evaluate(t, values) : null; } catch (e) { result = null; }
        // Stored to the field's places, as the server stores it: totals then add what is shown.
        if (typeof result === "number" && PLACES[rule.type] !== undefined) result = roundHalfUp(result, PLACES[rule.type]);
        else if (typeof result === "number" && rule.type === "Int") result = roundHalfUp(result, 0);
        values[name] = result;
        write(name, shown(result, rule.type));
      });
    }
    function matches(cond, values) {
      if (!cond) return true;
      var all = "all" in cond;
      var list = cond.all || cond.any || [];
      var test = function (r) {
        if (r.all || r.any) return matches(r, values);
        var a = values[r.field], b = r.value;
        if (isDate(a)) a = shown(a, "Date");
        var an = parseFloat(a), bn = parseFloat(b);
        var numeric = a !== null && a !== "" && !isNaN(an) && !isNaN(bn) && /^-?[\d.]+$/.test(String(b).trim());
        var set = !(a === null || a === undefined || a === "");
        switch (r.op) {
          case "==": return numeric ? an === bn : String(set ? a : "") === String(b);
          case "!=": return numeric ? an !== bn : String(set ? a : "") !== String(b);
          case ">": return numeric ? an > bn : String(a) > String(b);
          case ">=": return numeric ? an >= bn : String(a) >= String(b);
          case "<": return numeric ? an < bn : String(a) < String(b);
          case "<=": return numeric ? an <= bn : String(a) <= String(b);
          case "in": return String(b).split(",").map(function (s) { return s.trim(); }).indexOf(String(a)) >= 0;
          case "not in": return String(b).split(",").map(function (s) { return s.trim(); }).indexOf(String(a)) < 0;
          case "contains": return set && String(a).indexOf(String(b)) >= 0;
          case "is set": return set;
          case "is not set": return !set;
        }
        return false;
      };
      return all ? list.every(test) : list.some(test);
    }
    function markRequired(wrap, required) {
      var label = wrap.querySelector("label.form-label");
      if (!label) return;
      var star = label.querySelector(".req.rule-req");
      if (required && !star && !label.querySelector(".req")) {
        star = document.createElement("span");
        star.className = "req rule-req";
        star.textContent = "*";
        label.appendChild(star);
      } else if (!required && star) {
        star.remove();
      }
    }
    function refresh() {
      var editing = form.hasAttribute("data-editing");
      var columns = {};
      var top = topValues();
      // A row's `parent.x`: the document's typed values, not its formulas (computed after rows).
      var parent = {};
      Object.keys(top).forEach(function (k) { if (!(fields[k] && fields[k].formula)) parent[k] = top[k]; });
      Object.keys(tableTypes).forEach(function (table) {
        var cols = tables[table] || {};
        var colTypes = tableTypes[table];
        var grid = form.querySelector('.desk-grid[data-prefix="' + table + '"]');
        var rows = grid ? Array.prototype.slice.call(grid.querySelectorAll("tbody > tr.grid-row")) : [];
        var colValues = {};
        rows.forEach(function (row) {
          var values = rowValues(row, colTypes);
          if (editing) {
            values.parent = parent;
            compute(cols, values, function (name, text) {
              var cell = row.querySelector('td[data-field="' + name + '"] .cell-value');
              if (cell) cell.textContent = text;
            });
            delete values.parent;
          }
          // A cell shown by a rule on its row (旧表止码 only when 本月换表 is ticked): hidden, not
          // removed, so the columns of a desktop table stay in line.
          Object.keys(cols).forEach(function (name) {
            if (!cols[name].depends_on) return;
            var cell = row.querySelector('td[data-field="' + name + '"]');
            if (cell) cell.classList.toggle("rule-hidden", !matches(cols[name].depends_on, values));
          });
          Object.keys(values).forEach(function (k) { (colValues[k] = colValues[k] || []).push(values[k]); });
        });
        columns[table] = colValues;
        if (grid && editing) {
          grid.querySelectorAll("tfoot [data-total-for]").forEach(function (cell) {
            var list = colValues[cell.dataset.totalFor] || [];
            var total = list.reduce(function (s, v) { return s + (typeof v === "number" ? v : 0); }, 0);
            cell.querySelector(".total-value").textContent = shown(total, colTypes[cell.dataset.totalFor] || "Currency");
          });
        }
      });
      var values = top;
      Object.keys(columns).forEach(function (t) { values[t] = columns[t]; });
      if (editing) {
        compute(fields, values, function (name, text) {
          var ro = form.querySelector('.desk-field[data-fieldname="' + name + '"] .readonly-value');
          if (ro) ro.textContent = text || "—";
        });
      }
      Object.keys(fields).forEach(function (name) {
        var rule = fields[name];
        var wrap = form.querySelector('.desk-field[data-fieldname="' + name + '"]');
        if (!wrap) return;
        var visible = matches(rule.depends_on, values);
        wrap.hidden = !visible;
        wrap.classList.toggle("rule-hidden", !visible);
        if (editing) markRequired(wrap, visible && (rule.reqd_when_shown || (rule.mandatory_depends_on && matches(rule.mandatory_depends_on, values))));
      });
    }
    var timer = null;
    function soon() { clearTimeout(timer); timer = setTimeout(refresh, 60); }
    form.addEventListener("input", soon);
    form.addEventListener("change", soon);
    refresh();
  }

  window.SchoolFormula = { parse: parse, evaluate: evaluate, FUNCTIONS: FUNCTIONS };
  var form = document.getElementById("doc-form");
  var data = window.SchoolFormRules;
  if (form && data && (data.fields || data.tables)) start(form, data);
})();
