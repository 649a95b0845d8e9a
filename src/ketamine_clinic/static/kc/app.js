// ketamine-clinic: the little JavaScript the screens need; no inline scripts (CSP).
document.addEventListener("click", function (event) {
  var row = event.target.closest("tr[data-href]");
  if (row && !event.target.closest("a, button")) {
    window.location.assign(row.getAttribute("data-href"));
  }
});

// The chair's clocks: [data-since] counts up from a time (minutes:seconds since the first
// dose); [data-until] counts down to a time (the next esketamine device) and then says so.
function kcTick() {
  var now = Date.now();
  document.querySelectorAll("[data-since]").forEach(function (el) {
    var s = Math.max(0, Math.floor((now - Date.parse(el.getAttribute("data-since"))) / 1000));
    el.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  });
  document.querySelectorAll("[data-until]").forEach(function (el) {
    var s = Math.ceil((Date.parse(el.getAttribute("data-until")) - now) / 1000);
    el.textContent = s > 0 ? "next device in " + Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0") : "next device may be given now";
  });
}
document.addEventListener("DOMContentLoaded", function () {
  kcTick();
  window.setInterval(kcTick, 1000);
});

// A wide table scrolls sideways on a phone; a keyboard user reaches it with Tab and scrolls it
// with the arrow keys (WCAG 2.1.1), including tables that htmx loads into the page later.
function kcScrollable(root) {
  root.querySelectorAll(".table-responsive:not([tabindex])").forEach(function (el) {
    el.setAttribute("tabindex", "0");
  });
}
document.addEventListener("DOMContentLoaded", function () { kcScrollable(document); });
document.addEventListener("htmx:afterSettle", function (event) { kcScrollable(event.target); });
