// Portico: small progressive enhancements. Every page works without this.
(function () {
  "use strict";

  // Maintenance status goes stale on a static site: recompute it from the
  // window's times in the reader's browser.
  var labels = { scheduled: "Scheduled", "in-progress": "In progress", completed: "Completed" };
  function refreshWindows() {
    // A site built with a fixed clock shows that moment; leave it as built.
    if (document.documentElement.hasAttribute("data-fixed-now")) return;
    var now = Date.now();
    document.querySelectorAll("[data-window-start][data-window-end]").forEach(function (el) {
      if (el.getAttribute("data-status") === "cancelled") return;
      var start = Date.parse(el.getAttribute("data-window-start"));
      var end = Date.parse(el.getAttribute("data-window-end"));
      if (isNaN(start) || isNaN(end)) return;
      var status = now < start ? "scheduled" : now < end ? "in-progress" : "completed";
      el.setAttribute("data-status", status);
      var badge = el.querySelector("[data-status-label]");
      if (badge) {
        badge.textContent = labels[status];
        badge.className = "badge badge-status-" + status;
      }
    });
  }

  // One id per form display, so a retried or double-clicked submission is stored once.
  function fillSubmissionIds() {
    document.querySelectorAll("input[data-submission-id]").forEach(function (input) {
      if (input.value) return;
      if (window.crypto && window.crypto.randomUUID) {
        input.value = window.crypto.randomUUID();
      } else {
        input.value = Date.now().toString(36) + Math.random().toString(36).slice(2);
      }
    });
  }

  // "Was this helpful?" without leaving the page; the plain form post
  // stays the fallback when the receiver cannot be reached this way.
  function enhanceFeedback() {
    document.querySelectorAll("form[data-feedback]").forEach(function (form) {
      var choice = null;
      form.querySelectorAll("button[name=helpful]").forEach(function (button) {
        button.addEventListener("click", function () { choice = button.value; });
      });
      form.addEventListener("submit", function (event) {
        if (!window.fetch || !window.JSON) return;
        event.preventDefault();
        var helpful = (event.submitter && event.submitter.value) || choice;
        var body = {
          page: form.elements.page.value,
          lang: form.elements.lang.value,
          helpful: helpful,
          comment: form.elements.comment ? form.elements.comment.value : ""
        };
        var buttons = form.querySelectorAll("button");
        buttons.forEach(function (b) { b.disabled = true; });
        var old = form.querySelector(".feedback-error");
        if (old) old.remove();
        fetch(form.action, {
          method: "POST",
          headers: { "Content-Type": "application/json", "Accept": "application/json" },
          body: JSON.stringify(body)
        }).then(function (response) {
          if (!response.ok) throw new Error(response.status);
          form.classList.add("sent");
          var thanks = form.querySelector(".feedback-thanks");
          if (thanks) thanks.focus();
        }).catch(function () {
          buttons.forEach(function (b) { b.disabled = false; });
          var error = document.createElement("p");
          error.className = "feedback-error";
          error.setAttribute("role", "alert");
          error.textContent = form.getAttribute("data-failed");
          form.appendChild(error);
        });
      });
    });
  }

  function start() {
    refreshWindows();
    fillSubmissionIds();
    enhanceFeedback();
    setInterval(refreshWindows, 60000);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
