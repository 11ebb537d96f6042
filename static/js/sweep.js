// "Run sweep now": post the form, then poll the run's JSON status until it finishes.
(function () {
  "use strict";
  document.querySelectorAll("[data-sweep-form]").forEach(function (form) {
    var box = form.parentElement.querySelector("[data-sweep-progress]");
    var bar = box.querySelector(".progress-bar");
    var message = box.querySelector("[data-sweep-message]");
    var button = form.querySelector("button");

    function show(status) {
      var pct = status.rules_total ? Math.round((100 * status.rules_done) / status.rules_total) : 0;
      bar.style.width = pct + "%";
      box.querySelector(".progress").setAttribute("aria-valuenow", pct);
      if (!status.finished) {
        message.textContent = "Sweeping as of " + status.as_of + ": " + status.rules_done + " of " + status.rules_total + " rules done...";
        return;
      }
      bar.classList.remove("progress-bar-animated", "progress-bar-striped");
      bar.classList.add(status.errors.length ? "bg-warning" : "bg-success");
      var text = "Sweep as of " + status.as_of + " " + status.status + ": " + status.created + " created, " +
        status.updated + " updated, " + status.voided + " voided.";
      if (status.errors.length) {
        text += " Failed rules: " + status.errors.map(function (e) { return e.rule + " (" + e.error + ")"; }).join("; ") + ".";
      }
      message.innerHTML = "";
      message.appendChild(document.createTextNode(text + " "));
      var reload = document.createElement("a");
      reload.href = window.location.href;
      reload.textContent = "Reload the page to see the ledger.";
      message.appendChild(reload);
      button.disabled = false;
    }

    function poll(url) {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (status) {
          show(status);
          if (!status.finished) { setTimeout(function () { poll(url); }, 1000); }
        })
        .catch(function () { message.textContent = "Lost contact with the server; reload the page to see the sweep's result."; });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      box.classList.remove("d-none");
      bar.style.width = "0%";
      message.textContent = "Starting the sweep...";
      fetch(form.action, { method: "POST", body: new FormData(form), headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
        .then(function (res) {
          if (!res.ok) {
            message.textContent = res.data.error || "The sweep could not be started.";
            if (res.data.queue_down) {
              var inline = form.parentElement.querySelector("[data-sweep-inline]");
              if (inline) { inline.classList.remove("d-none"); }
            }
            if (res.data.status_url) { poll(res.data.status_url); } else { button.disabled = false; }
            return;
          }
          poll(res.data.status_url);
        })
        .catch(function () { message.textContent = "The sweep could not be started (network error)."; button.disabled = false; });
    });
  });
})();
