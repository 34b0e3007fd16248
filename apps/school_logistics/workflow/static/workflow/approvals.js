/* The approval pages' small behaviours. The server stays the judge of every decision: this
   only asks before a batch, and says on the card itself what a decision still needs. */
(function () {
  "use strict";

  /* ---------- a reason asked for on the inbox card it is missing from ---------- */
  // 拒绝 and 退回 need a reason. Refused by the server, the message came at the top of the
  // page, which named no document and left the card the approver was working on.
  function clearReason(form) {
    var comment = form.querySelector("input[name=comment]");
    var error = form.querySelector(".decide-error");
    if (comment) {
      comment.classList.remove("is-invalid");
      comment.removeAttribute("aria-invalid");
    }
    if (error) {
      error.hidden = true;
      error.textContent = "";
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form.decide")) return;
    var button = event.submitter;
    var comment = form.querySelector("input[name=comment]");
    if (!button || !button.dataset.needsReason || !comment || comment.value.trim()) return;
    event.preventDefault();
    var error = form.querySelector(".decide-error");
    error.textContent = button.dataset.needsReason;
    error.hidden = false;
    comment.classList.add("is-invalid");
    comment.setAttribute("aria-invalid", "true");
    comment.focus({ preventScroll: true });
  });

  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form.decide");
    if (form && event.target.name === "comment") clearReason(form);
  });

  /* ---------- a decision taken on the document's page keeps the comment typed here ---------- */
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-carry-comment]");
    if (!link) return;
    var comment = link.closest("form.decide").querySelector("input[name=comment]");
    if (!comment || !comment.value.trim()) return;
    var url = new URL(link.href, window.location.href);
    url.searchParams.set("comment", comment.value.trim());
    link.href = url.toString();
  });

  /* ---------- 同意所选: how many, and how much, before approving them all ---------- */
  function money(cents) {
    return (cents / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  // Capture phase: set the question before desk.js's confirm dialog (listening in the bubble
  // phase) reads it from data-confirm.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("#batch-form")) return;
    var picked = document.querySelectorAll("input[name=task][form=batch-form]:checked");
    if (!picked.length) {
      form.removeAttribute("data-confirm");  // the server says to pick some first
      return;
    }
    var cents = 0;
    picked.forEach(function (box) {
      cents += Math.round(parseFloat(box.dataset.amount || "0") * 100) || 0;
    });
    var text = cents ? form.dataset.askTotal : form.dataset.askCount;
    form.setAttribute("data-confirm", text.replace("{n}", String(picked.length)).replace("{total}", money(cents)));
  }, true);

  /* ---------- 转交 / 加签: Enter picks a person, it never approves ---------- */
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.id === "decision-user") event.preventDefault();
  });
})();
