/*
 * Progressive enhancement only: every page works without this file.
 * On small screens the primary navigation folds behind a "Menu" button
 * whose aria-expanded tells assistive technology whether it is open.
 */
(function () {
  "use strict";

  var toggle = document.querySelector("[data-nav-toggle]");
  if (!toggle) {
    return;
  }
  var list = document.getElementById(toggle.getAttribute("aria-controls"));
  // With only the home link there is nothing worth folding away.
  if (!list || list.children.length < 3) {
    return;
  }

  document.documentElement.classList.add("js-nav");
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") === "true";
    toggle.setAttribute("aria-expanded", open ? "false" : "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    }
  });
})();
