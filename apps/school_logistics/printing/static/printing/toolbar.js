// The print view's toolbar; a file, not inline handlers, so the page's CSP forbids all inline script.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelector("[data-print]")?.addEventListener("click", () => window.print());
  document.querySelectorAll("[data-autosubmit]").forEach((el) =>
    el.addEventListener("change", () => el.form.submit())
  );
});
