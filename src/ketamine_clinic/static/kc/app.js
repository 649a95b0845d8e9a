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

// Quick time entry: a time field marked data-quick-time="0,1,2,4" gets a row of buttons
// ("Now", "1 h ago", ...) that fill it in the device's local time; the field can still be
// typed. Used for last food and liquids at the chair.
function kcQuickTimes(root) {
  root.querySelectorAll("input[data-quick-time]:not([data-quick-ready])").forEach(function (input) {
    input.setAttribute("data-quick-ready", "");
    var row = document.createElement("div");
    row.className = "d-flex flex-wrap gap-1 mt-1 kc-quick-times";
    row.setAttribute("role", "group");
    row.setAttribute("aria-label", "Quick times");
    input.getAttribute("data-quick-time").split(",").forEach(function (hours) {
      var h = parseInt(hours, 10);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-outline-secondary";
      button.textContent = h === 0 ? "Now" : h + " h ago";
      button.addEventListener("click", function () {
        var at = new Date(Date.now() - h * 3600 * 1000);
        var local = new Date(at.getTime() - at.getTimezoneOffset() * 60000);
        input.value = local.toISOString().slice(0, 16);
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
      row.appendChild(button);
    });
    input.insertAdjacentElement("afterend", row);
  });
}
document.addEventListener("DOMContentLoaded", function () { kcQuickTimes(document); });
document.addEventListener("htmx:afterSettle", function (event) { kcQuickTimes(event.target); });

// Long work shows it is under way: a form marked data-busy="Comparing…" disables its button
// and says so while the next page is computed.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var words = form.getAttribute("data-busy");
  if (!words || event.defaultPrevented) return;
  form.querySelectorAll("button[type=submit]").forEach(function (button) {
    button.disabled = true;
  });
  var note = document.createElement("p");
  note.className = "col-12 mb-0 text-body-secondary";
  note.setAttribute("role", "status");
  note.innerHTML = '<span class="spinner-border spinner-border-sm me-2" aria-hidden="true"></span>';
  note.appendChild(document.createTextNode(words));
  form.appendChild(note);
});
