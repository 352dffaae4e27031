// A text filter for the team pickers of the 熠星 proposal form (no inline script: the CSP forbids it).
// Each <input data-filter-for="ID"> hides the options of select#ID whose text does not contain
// what is typed; chosen options stay visible so that nobody is dropped unseen.
(function () {
  "use strict";
  function apply(input) {
    var select = document.getElementById(input.getAttribute("data-filter-for"));
    if (!select) { return; }
    var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    Array.prototype.forEach.call(select.options, function (option) {
      var text = option.text.toLowerCase();
      var match = words.every(function (w) { return text.indexOf(w) !== -1; });
      option.hidden = !(match || option.selected || option.value === "");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-filter-for]"), function (input) {
      input.addEventListener("input", function () { apply(input); });
    });
  });
})();
