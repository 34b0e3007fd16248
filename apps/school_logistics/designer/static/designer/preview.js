/* The designer's preview: apply the draft's formulas and rules while the admin tries the form.
   The rules come with the page (json_script), not from the stored DocType the desk fetches. */
(function () {
  "use strict";
  var holder = document.getElementById("draft-rules");
  if (!holder) return;
  var data = JSON.parse(holder.textContent);
  if (!data || !data.script) return;
  window.SchoolFormRules = data;
  var script = document.createElement("script");
  script.src = data.script;
  document.body.appendChild(script);
})();
