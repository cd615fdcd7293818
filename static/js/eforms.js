// Show or hide e-form fields whose definition has `show_if`; without JavaScript they all stay visible.
(function () {
  function currentValue(form, name) {
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) continue;
      return input.value;
    }
    return "";
  }
  function update(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (box) {
      var shown = currentValue(form, box.dataset.showIf) === box.dataset.equals;
      box.hidden = !shown;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    // After a refused submission, start at the list of what to fix.
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
    document.querySelectorAll("form.eform").forEach(function (form) {
      update(form);
      form.addEventListener("change", function () { update(form); });
    });
  });
})();
