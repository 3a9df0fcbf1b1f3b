// Progressive enhancement only: every form works without this file.
// - forms with data-confirm ask once, naming the thing, before submitting;
// - selects with data-autosubmit submit their form when changed;
// - a form's error summary lists each field to mend, each a link to the field.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
}, true);
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
    el.form.submit();
  }
});
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (!summary) return;
  var sep = summary.getAttribute("data-sep") || ": ";
  var list = document.createElement("ul");
  document.querySelectorAll(".field.has-error").forEach(function (field) {
    var label = field.querySelector("label");
    var input = field.querySelector("input, select, textarea");
    var error = field.querySelector(".field-error");
    if (!label || !input || !input.id) return;
    var link = document.createElement("a");
    link.href = "#" + input.id;
    link.textContent = label.textContent.replace("*", "").trim() + (error ? sep + error.textContent : "");
    link.addEventListener("click", function (event) {
      event.preventDefault();
      input.scrollIntoView({ block: "center" });
      input.focus();
    });
    var item = document.createElement("li");
    item.appendChild(link);
    list.appendChild(item);
  });
  if (list.children.length) summary.appendChild(list);
});
