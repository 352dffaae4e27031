/* The same count as programs.models.count_characters: NFC, every code point one, line breaks none.
   Without JavaScript the server still counts and says so. */
(function () {
  var form = document.getElementById("reflection-form"); if (!form) return;
  var text = form.querySelector("#text"), out = form.querySelector("#count"), activity = form.querySelector("#activity");
  function count(value) { return Array.from(value.normalize("NFC").replace(/[\n\r\u2028\u2029\u0085]/g, "")).length; }
  function show() {
    var n = count(text.value), option = activity.options[activity.selectedIndex];
    var max = parseInt(option.dataset.max, 10), min = parseInt(option.dataset.min, 10), note = "";
    if (max && n > max) note = "，超過 " + max.toLocaleString("en-US") + " 字上限";
    else if (min && n < min) note = "，尚差 " + (min - n).toLocaleString("en-US") + " 字";
    out.textContent = "目前 " + n.toLocaleString("en-US") + " 字" + note;
    out.className = note ? "error" : "muted";
  }
  text.addEventListener("input", show); activity.addEventListener("change", show); show();
})();
