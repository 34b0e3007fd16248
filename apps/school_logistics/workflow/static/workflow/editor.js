/* Flow editor: add, remove and move steps; build the whole flow as JSON for the server to check. */
(function () {
  "use strict";
  var form = document.getElementById("flow-form");
  var steps = document.getElementById("steps");
  if (!form || !steps) return;

  function fromTemplate(id) {
    return document.getElementById(id).content.firstElementChild.cloneNode(true);
  }

  function syncEntry(row) {
    var type = row.querySelector(".entry-type").value;
    row.querySelectorAll("[data-for]").forEach(function (el) {
      el.hidden = el.getAttribute("data-for") !== type;
    });
  }

  function syncRule(row) {
    var op = row.querySelector(".rule-op");
    var value = row.querySelector(".rule-value");
    if (op && value) value.hidden = op.value === "is set" || op.value === "is not set";
  }

  function syncStep(card) {
    var escalate = card.querySelector(".step-escalate");
    escalate.hidden = card.querySelector(".step-overdue").value !== "escalate";
    // A step nobody may reject has no reject button to name and no rejection to route.
    var rejects = card.querySelector(".step-allow-reject").checked;
    card.querySelectorAll(".reject-only").forEach(function (el) { el.hidden = !rejects; });
    card.querySelectorAll(".entry-row").forEach(syncEntry);
    card.querySelectorAll(".rule-row").forEach(syncRule);
  }

  function renumber() {
    steps.querySelectorAll(".flow-step").forEach(function (card, i) {
      // The page gives the words in the user's language, with __N__ where the number goes.
      var words = steps.getAttribute("data-step-label") || "第 __N__ 步";
      card.querySelector(".step-no").textContent = words.replace("__N__", String(i + 1));
    });
    refreshTargets();
  }

  // The "after approve / after reject" selects list every step: rebuilt when steps change,
  // keeping each select's choice (data-value) even while its step is renamed or moved.
  function refreshTargets() {
    var cards = Array.prototype.slice.call(steps.querySelectorAll(".flow-step"));
    cards.forEach(function (card) {
      card.querySelectorAll(".step-on-approve, .step-on-reject").forEach(function (select) {
        var wanted = select.getAttribute("data-value") || select.value;
        var fixed = select.classList.contains("step-on-approve") ? 2 : 1;
        while (select.options.length > fixed) select.remove(fixed);
        cards.forEach(function (other) {
          if (other === card && select.classList.contains("step-on-reject")) return;
          // A step not named yet shows by its number alone: its key (step_yqr0bj) is internal.
          var label = other.querySelector(".step-label").value.trim();
          var no = other.querySelector(".step-no").textContent;
          select.add(new Option(label ? no + " " + label : no, other.getAttribute("data-key")));
        });
        select.value = wanted;
        if (select.value !== wanted) select.value = select.options[0].value;
        select.setAttribute("data-value", select.value);
      });
    });
  }

  function newKey() {
    var key;
    do {
      key = "step_" + Math.random().toString(36).slice(2, 8);
    } while (steps.querySelector('[data-key="' + key + '"]'));
    return key;
  }

  function entries(container) {
    return Array.prototype.map.call(container.querySelectorAll(".entry-row"), function (row) {
      var type = row.querySelector(".entry-type").value;
      var picker = row.querySelector('[data-for="' + type + '"]');
      return picker ? { type: type, value: picker.value.trim() } : { type: type };
    });
  }

  function rules(card) {
    var found = [];
    card.querySelectorAll(".rules > .rule-row").forEach(function (row) {
      if (row.hasAttribute("data-raw")) {
        try { found.push(JSON.parse(row.getAttribute("data-raw"))); } catch (e) { /* dropped */ }
        return;
      }
      var op = row.querySelector(".rule-op").value;
      var rule = { field: row.querySelector(".rule-field").value, op: op };
      if (op !== "is set" && op !== "is not set") rule.value = row.querySelector(".rule-value").value.trim();
      found.push(rule);
    });
    return found;
  }

  function hours(text) {
    text = text.trim();
    if (text === "") return 0;
    // Anything but whole hours goes to the server as typed, so its message names the step.
    return /^\d+$/.test(text) ? parseInt(text, 10) : text;
  }

  function build() {
    var flow = {
      label: document.getElementById("flow-label").value.trim(),
      fallback_role: document.getElementById("flow-fallback").value,
      skip_repeated_approver: document.getElementById("flow-skip-repeated").checked,
      approved_state: document.getElementById("flow-approved-state").value.trim(),
      steps: []
    };
    steps.querySelectorAll(".flow-step").forEach(function (card) {
      var step = {};
      try { step = JSON.parse(card.getAttribute("data-extra") || "{}"); } catch (e) { step = {}; }
      step.key = card.getAttribute("data-key");
      step.label = card.querySelector(".step-label").value.trim();
      step.approvers = entries(card.querySelector(".approvers"));
      step.mode = card.querySelector(".step-mode").value;
      step.sla_hours = hours(card.querySelector(".step-sla").value);
      step.overdue = card.querySelector(".step-overdue").value;
      if (step.overdue === "escalate") step.escalate_to_role = card.querySelector(".step-escalate").value;
      step.cc = entries(card.querySelector(".ccs"));
      step.allow_self_approval = card.querySelector(".step-self").checked;
      step.state = card.querySelector(".step-state").value.trim();
      step.approve_label = card.querySelector(".step-approve-label").value.trim();
      step.on_approve = card.querySelector(".step-on-approve").value;
      step.allow_reject = card.querySelector(".step-allow-reject").checked;
      // Kept in the form while unticked (ticked again, they come back), sent only when they apply.
      step.reject_label = step.allow_reject ? card.querySelector(".step-reject-label").value.trim() : "";
      step.on_reject = step.allow_reject ? card.querySelector(".step-on-reject").value : "rejected";
      step.docstatus = card.querySelector(".step-submit").checked ? 1 : 0;
      var found = rules(card);
      if (found.length) {
        step.condition = {};
        step.condition[card.querySelector(".cond-group").value] = found;
      }
      flow.steps.push(step);
    });
    return flow;
  }

  var actions = {
    "up": function (card) { if (card.previousElementSibling) steps.insertBefore(card, card.previousElementSibling); },
    "down": function (card) { if (card.nextElementSibling) steps.insertBefore(card.nextElementSibling, card); },
    "remove-step": function (card) { card.remove(); },
    "add-approver": function (card) { add(card.querySelector(".approvers"), "tpl-approver"); },
    "add-cc": function (card) { add(card.querySelector(".ccs"), "tpl-cc"); },
    "add-rule": function (card) { add(card.querySelector(".rules"), "tpl-rule"); }
  };

  function add(container, template) {
    var row = fromTemplate(template);
    container.appendChild(row);
    if (row.querySelector(".entry-type")) syncEntry(row);
    syncRule(row);
    var first = row.querySelector("select, input");
    if (first) first.focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-act]");
    if (!button) return;
    if (button.getAttribute("data-act") === "remove-row") {
      button.closest(".entry-row, .rule-row").remove();
      return;
    }
    var card = button.closest(".flow-step");
    if (card && actions[button.getAttribute("data-act")]) {
      actions[button.getAttribute("data-act")](card);
      renumber();
    }
  });

  document.getElementById("btn-add-step").addEventListener("click", function () {
    var card = fromTemplate("tpl-step");
    card.setAttribute("data-key", newKey());
    steps.appendChild(card);
    syncStep(card);
    renumber();
    card.querySelector(".step-label").focus();
  });

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.classList.contains("entry-type")) syncEntry(el.closest(".entry-row"));
    if (el.classList.contains("rule-op")) syncRule(el.closest(".rule-row"));
    if (el.classList.contains("step-overdue") || el.classList.contains("step-allow-reject")) {
      syncStep(el.closest(".flow-step"));
    }
    if (el.classList.contains("step-on-approve") || el.classList.contains("step-on-reject")) {
      el.setAttribute("data-value", el.value);
    }
    if (el.classList.contains("step-label")) refreshTargets();
  });

  // Plain submits (save, or "try it" without htmx) and htmx requests both carry the flow.
  // Their buttons are disabled in the page until now: pressed before this script has run, they
  // would post no flow at all.
  document.querySelectorAll("form[data-flow-form]").forEach(function (f) {
    f.addEventListener("submit", function () {
      f.querySelector('input[name="flow"]').value = JSON.stringify(build());
    });
    f.querySelectorAll("button[disabled]").forEach(function (b) { b.disabled = false; });
  });
  document.body.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.matches && elt.matches("form[data-flow-form]")) {
      event.detail.parameters.flow = JSON.stringify(build());
    }
  });

  // Edges that are not "down to the next box": rejections that send the document to a step
  // (red, on the right) and approvals that jump (green, on the left), drawn over the boxes.
  var SVG = "http://www.w3.org/2000/svg";
  function drawEdges() {
    var box = document.getElementById("flow-diagram");
    var svg = box && box.querySelector("svg.edges");
    if (!svg) return;
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var origin = box.getBoundingClientRect();
    function node(key) { return box.querySelector('.node[data-step="' + key + '"]'); }
    function line(from, to, kind, lane) {
      if (!from || !to) return;
      var a = from.getBoundingClientRect(), b = to.getBoundingClientRect();
      var right = kind === "reject";
      var xa = (right ? a.right : a.left) - origin.left;
      var xb = (right ? b.right : b.left) - origin.left;
      var ya = a.top + a.height / 2 - origin.top, yb = b.top + b.height / 2 - origin.top;
      var bend = (right ? 1 : -1) * (14 + 5 * lane);
      var path = document.createElementNS(SVG, "path");
      path.setAttribute("class", kind);
      path.setAttribute("d", "M" + xa + " " + ya + " C" + (xa + bend) + " " + ya + " " + (xb + bend) + " " + yb + " " + xb + " " + yb);
      svg.appendChild(path);
      var head = document.createElementNS(SVG, "path");
      var d = right ? 6 : -6;
      head.setAttribute("d", "M" + (xb + d) + " " + (yb - 4) + " L" + xb + " " + yb + " L" + (xb + d) + " " + (yb + 4));
      head.setAttribute("class", kind);
      svg.appendChild(head);
    }
    var lanes = { reject: 0, jump: 0 };
    box.querySelectorAll(".node[data-reject-to]").forEach(function (n) {
      line(n, node(n.getAttribute("data-reject-to")), "reject", lanes.reject++);
    });
    box.querySelectorAll(".node[data-approve-to]").forEach(function (n) {
      line(n, node(n.getAttribute("data-approve-to")), "jump", lanes.jump++);
    });
  }
  document.body.addEventListener("htmx:afterSettle", drawEdges);
  window.addEventListener("resize", drawEdges);

  steps.querySelectorAll(".flow-step").forEach(syncStep);
  renumber();
  drawEdges();
})();
