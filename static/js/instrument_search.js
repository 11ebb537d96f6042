// Instrument number fields (issue 17): suggestions from /instruments/search/ as the clerk types.
// The field stays a plain text input of the instrument number (it works without this script);
// the script adds a <datalist> and fills it with the endpoint's first page for what is typed.
(function () {
  "use strict";
  var DELAY_MS = 200;

  function attach(input) {
    var url = input.getAttribute("data-instrument-search");
    var list = document.createElement("datalist");
    list.id = (input.id || input.name) + "-suggestions";
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("list", list.id);
    var timer = null;
    var last = null;
    var controller = null;

    function fill(results) {
      list.replaceChildren();
      results.forEach(function (r) {
        var option = document.createElement("option");
        option.value = r.value;
        option.label = r.label;
        option.textContent = r.label;
        list.appendChild(option);
      });
    }

    function search() {
      var q = input.value.trim();
      if (q === last) { return; }
      last = q;
      if (controller) { controller.abort(); }
      controller = new AbortController();
      fetch(url + "&q=" + encodeURIComponent(q), {
        headers: { Accept: "application/json" }, credentials: "same-origin", signal: controller.signal,
      })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { fill(data.results || []); })
        .catch(function () { /* aborted or offline: the field still takes a typed number */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, DELAY_MS);
    });
    input.addEventListener("focus", search);
  }

  document.querySelectorAll("input[data-instrument-search]").forEach(attach);
})();
