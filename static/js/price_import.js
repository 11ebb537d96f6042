/* Market-price CSV upload with real progress: the upload bar follows the bytes sent
   (XMLHttpRequest upload events); the checking and writing bars follow the progress
   lines the server streams back (one JSON object per line) while it validates every
   row and writes them in one transaction. Without JavaScript the form posts normally. */
(function () {
  "use strict";
  var form = document.getElementById("price-import-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  var box = document.getElementById("price-import-progress");
  var out = document.getElementById("price-import-result");
  var submit = document.getElementById("price-import-submit");

  function bar(id, done, total, text) {
    var el = document.getElementById(id + "-bar");
    el.max = total > 0 ? total : 1;
    el.value = total > 0 ? done : 1;
    document.getElementById(id + "-text").textContent = text;
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function render(result) {
    out.textContent = "";
    out.appendChild(el("p", { "class": result.ok ? "ok" : "bad", "data-testid": "import-summary" }, result.summary));
    if (result.price_import_url) {
      var p = el("p");
      p.appendChild(el("a", { href: result.price_import_url }, "Import record"));
      out.appendChild(p);
    }
    if (result.approval_url) {  // issue 12: a correction of prices conversions used waits for a second deal admin
      var pa = el("p");
      pa.appendChild(el("a", { href: result.approval_url, "data-testid": "import-approval" },
        "Approval #" + result.approval_id + " (waiting for a second deal admin)"));
      out.appendChild(pa);
    }
    if (result.errors && result.errors.length) {
      var table = el("table", { "class": "errors", "data-testid": "import-errors" });
      var head = el("tr");
      ["Row", "Column", "Problem"].forEach(function (h) { head.appendChild(el("th", {}, h)); });
      var thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
      var body = el("tbody");
      result.errors.forEach(function (e) {
        var tr = el("tr");
        tr.appendChild(el("td", {}, String(e.row)));
        tr.appendChild(el("td", {}, e.column));
        tr.appendChild(el("td", {}, e.message));
        body.appendChild(tr);
      });
      table.appendChild(body);
      out.appendChild(table);
    }
    if (result.warnings && result.warnings.length) {
      out.appendChild(el("p", {}, "Warnings (the import is not blocked by these):"));
      var ul = el("ul", { "data-testid": "import-warnings" });
      result.warnings.slice(0, 50).forEach(function (w) { ul.appendChild(el("li", {}, w)); });
      out.appendChild(ul);
    }
  }

  // "Recent imports" from a fresh copy of this page, so the import just made is listed.
  function refreshRecent() {
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("recent-imports");
        var current = document.getElementById("recent-imports");
        if (fresh && current) { current.replaceWith(document.importNode(fresh, true)); }
      })
      .catch(function () {});
  }

  form.addEventListener("submit", function (event) {
    var file = form.querySelector("input[type=file]");
    if (!file.files.length) { return; } // let the server say the file is missing
    event.preventDefault();
    submit.disabled = true;
    box.hidden = false;
    out.textContent = "";
    bar("upload", 0, 1, ""); bar("validate", 0, 0, ""); bar("write", 0, 0, "");
    document.getElementById("validate-bar").value = 0;
    document.getElementById("write-bar").value = 0;
    var dry = form.querySelector("[name=dry_run]");
    // A dry run checks every row and writes nothing: say so on the last bar.
    document.getElementById("write-label").textContent = dry && dry.checked ? "Checking (dry run: nothing is written)" : "Writing";

    var xhr = new XMLHttpRequest();
    var seen = 0;
    var result = null;
    xhr.open("POST", window.location.href);
    xhr.setRequestHeader("Accept", "application/x-ndjson");
    xhr.setRequestHeader("X-CSRFToken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) {
        bar("upload", e.loaded, e.total, Math.round(100 * e.loaded / e.total) + "% of " + Math.ceil(e.total / 1024) + " KB");
      }
    };
    xhr.upload.onload = function () { bar("upload", 1, 1, "done"); };
    function consume() {
      var text = xhr.responseText;
      var end = text.lastIndexOf("\n");
      if (end < seen) { return; }
      text.slice(seen, end).split("\n").forEach(function (line) {
        if (!line.trim()) { return; }
        var msg;
        try { msg = JSON.parse(line); } catch (err) { return; }
        if (msg.type === "progress") {
          var id = msg.phase === "writing" ? "write" : "validate";
          bar(id, msg.done, msg.total, msg.done.toLocaleString() + " of " + msg.total.toLocaleString() + " rows");
        } else if (msg.type === "result") {
          result = msg;
        }
      });
      seen = end + 1;
    }
    xhr.onprogress = consume;
    xhr.onload = function () {
      consume();
      submit.disabled = false;
      if (result) {
        render(result);
        refreshRecent();
        if (!result.ok) { document.getElementById("write-text").textContent = "nothing written"; }
      } else {
        out.textContent = "";
        out.appendChild(el("p", { "class": "bad" }, "The server answered " + xhr.status + " without a result; nothing was imported. Try again, or use the command: python manage.py import_prices FILE"));
      }
    };
    xhr.onerror = function () {
      submit.disabled = false;
      out.textContent = "";
      out.appendChild(el("p", { "class": "bad" }, "The upload failed (network error); nothing was imported."));
    };
    xhr.send(new FormData(form));
  });
})();
