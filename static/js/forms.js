// Site-wide form behaviour, loaded by base.html (no inline handlers: the CSP refuses them).
// A button marked data-submit-once is disabled once its form is submitted, so a double click
// sends one request.
document.addEventListener("submit", function (event) {
  var buttons = event.target.querySelectorAll("[data-submit-once]");
  // After the browser has taken the submitter's value, not before.
  setTimeout(function () { buttons.forEach(function (b) { b.disabled = true; }); }, 0);
});
