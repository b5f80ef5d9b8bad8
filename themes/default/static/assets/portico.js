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

  // Search: the index loads on first use; results as you type, ranked
  // (title, then service names, then summary and words), matches marked.
  var indexes = {};
  function fold(text) {
    return (text || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }
  function loadIndex(url) {
    if (!indexes[url]) {
      indexes[url] = fetch(url).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      }).then(function (index) {
        index.folded = index.docs.map(function (d) {
          return {
            title: " " + fold(d[0]).replace(/[^\p{L}\p{N}]+/gu, " ") + " ",
            services: " " + fold(d[3]).replace(/[^\p{L}\p{N}]+/gu, " ") + " ",
            body: " " + fold(d[4] + " " + d[5]).replace(/[^\p{L}\p{N}]+/gu, " ") + " "
          };
        });
        return index;
      });
    }
    return indexes[url];
  }
  var kindOrder = { service: 3, faq: 2, page: 1, survey: 1, announcement: 0 };
  function terms(query) {
    return fold(query).split(/[^\p{L}\p{N}]+/u).filter(function (t) { return t.length > 0; });
  }
  function score(f, ts) {
    var total = 0;
    for (var i = 0; i < ts.length; i++) {
      var t = ts[i], best = 0;
      if (f.title.indexOf(" " + t + " ") >= 0) best = 10;
      else if (f.title.indexOf(" " + t) >= 0) best = 7;
      else if (f.services.indexOf(" " + t) >= 0) best = 5;
      else if (f.body.indexOf(" " + t + " ") >= 0) best = 3;
      else if (f.body.indexOf(" " + t) >= 0) best = 2;
      if (!best) return 0;
      total += best;
    }
    return total;
  }
  function search(index, query, limit) {
    var ts = terms(query);
    if (!ts.length) return [];
    var hits = [];
    for (var i = 0; i < index.docs.length; i++) {
      var s = score(index.folded[i], ts);
      if (s) hits.push([s + (kindOrder[index.docs[i][2]] || 0) / 10, i]);
    }
    hits.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    return hits.slice(0, limit).map(function (h) { return index.docs[h[1]]; });
  }
  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function mark(text, query) {
    var html = escapeHtml(text);
    terms(query).forEach(function (t) {
      if (t.length < 2) return;
      var pattern = t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      html = html.replace(new RegExp("(^|[^\\p{L}\\p{N}])(" + pattern + ")", "giu"), "$1<mark>$2</mark>");
    });
    return html;
  }
  function enhanceSearch() {
    document.querySelectorAll("input[data-search]").forEach(function (input) {
      var list = document.getElementById(input.getAttribute("data-search-results"));
      var status = document.getElementById(input.getAttribute("data-search-status") || "");
      var limit = parseInt(input.getAttribute("data-search-limit") || "8", 10);
      var popup = list && list.classList.contains("search-popup");
      if (!list) return;
      var timer = null;
      function say(text) { if (status) status.textContent = text; }
      function show(index, query) {
        var results = search(index, query, limit);
        var w = index.words || {};
        list.innerHTML = results.map(function (d) {
          return '<li><a href="' + escapeHtml(d[1]) + '"><span class="search-kind">' +
            escapeHtml((w.kinds || {})[d[2]] || d[2]) + '</span> <span class="search-title">' +
            mark(d[0], query) + '</span>' + (d[4] ? '<span class="search-snippet">' + mark(d[4], query) + "</span>" : "") +
            "</a></li>";
        }).join("");
        list.hidden = results.length === 0 && popup;
        if (!query.trim()) { list.hidden = true; say(""); return; }
        if (!popup) list.hidden = false;
        var message = results.length ? (w.results || "{n}") : (w.none || "");
        say(message.replace("{n}", results.length).replace("{q}", query));
      }
      function run() {
        var query = input.value;
        if (!query.trim()) { list.hidden = true; list.innerHTML = ""; say(""); return; }
        say(input.getAttribute("data-loading") || "");
        loadIndex(input.getAttribute("data-search")).then(function (index) {
          if (input.value === query) show(index, query);
        }).catch(function () { say("Search is not available right now."); });
      }
      input.addEventListener("focus", function () { loadIndex(input.getAttribute("data-search")).catch(function () {}); });
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(run, 40);
      });
      input.addEventListener("keydown", function (e) {
        if (e.key === "ArrowDown") {
          var first = list.querySelector("a");
          if (first && !list.hidden) { e.preventDefault(); first.focus(); }
        } else if (e.key === "Escape" && popup) {
          list.hidden = true;
        }
      });
      list.addEventListener("keydown", function (e) {
        var links = Array.prototype.slice.call(list.querySelectorAll("a"));
        var at = links.indexOf(document.activeElement);
        if (e.key === "ArrowDown" && at < links.length - 1) { e.preventDefault(); links[at + 1].focus(); }
        else if (e.key === "ArrowUp") { e.preventDefault(); (at > 0 ? links[at - 1] : input).focus(); }
        else if (e.key === "Escape") { e.preventDefault(); if (popup) list.hidden = true; input.focus(); }
      });
      if (popup) {
        input.form.addEventListener("focusout", function () {
          setTimeout(function () {
            if (!input.form.contains(document.activeElement)) list.hidden = true;
          }, 0);
        });
      } else {
        var q = new URLSearchParams(location.search).get("q");
        if (q) { input.value = q; run(); }
      }
    });
  }

  // Catalog filters: without a script every service is listed, grouped.
  function enhanceCatalog() {
    var form = document.querySelector("form[data-catalog-filters]");
    if (!form) return;
    form.hidden = false;
    var cards = Array.prototype.slice.call(document.querySelectorAll(".category .service-card"));
    var status = form.querySelector(".filter-status");
    function apply() {
      var want = {
        category: form.elements.category.value,
        lifecycle: form.elements.lifecycle.value,
        delivery: form.elements.delivery.value
      };
      var shown = 0;
      cards.forEach(function (card) {
        var ok = ["category", "lifecycle", "delivery"].every(function (k) {
          return !want[k] || card.getAttribute("data-" + k) === want[k];
        });
        card.hidden = !ok;
        if (ok) shown++;
      });
      document.querySelectorAll(".category").forEach(function (section) {
        section.hidden = !section.querySelector(".service-card:not([hidden])");
      });
      var filtered = want.category || want.lifecycle || want.delivery;
      status.textContent = filtered ? form.getAttribute("data-shown")
        .replace("{n}", shown).replace("{total}", cards.length) : "";
    }
    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { setTimeout(apply, 0); });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
  }

  function start() {
    enhanceSearch();
    enhanceCatalog();
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
