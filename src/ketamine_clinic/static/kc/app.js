// ketamine-clinic: the little JavaScript the screens need; no inline scripts (CSP).
document.addEventListener("click", function (event) {
  var row = event.target.closest("tr[data-href]");
  if (row && !event.target.closest("a, button")) {
    window.location.assign(row.getAttribute("data-href"));
  }
});
