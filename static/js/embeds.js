// Embeds (rsflask/embeds.py): each facade gets a button that swaps in the provider's player,
// so that a reader's browser contacts the provider only after the reader asks for it. Without
// this script the facade stays a link to the provider's own page.
(function () {
  "use strict";

  function play(figure, button) {
    var frame = document.createElement("iframe");
    frame.src = figure.dataset.embedSrc;
    frame.title = figure.dataset.embedTitle;
    frame.setAttribute("sandbox", figure.dataset.embedSandbox);
    if (figure.dataset.embedAllow) frame.setAttribute("allow", figure.dataset.embedAllow);
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    frame.className = "embed-frame";
    button.remove();
    figure.insertBefore(frame, figure.firstChild);
    figure.classList.add("embed-playing");
    // Keyboard and screen-reader users land in the player they asked for.
    frame.focus();
  }

  function addButtons(root) {
    var figures = root.querySelectorAll("figure.embed[data-embed-src]:not(.embed-ready)");
    figures.forEach(function (figure) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "embed-play";
      button.textContent = figure.dataset.embedButton;
      var what = document.createElement("span");
      what.className = "visually-hidden";
      what.textContent = " (" + figure.dataset.embedTitle + ", loads from " +
        figure.dataset.provider + ")";
      button.appendChild(what);
      button.addEventListener("click", function () { play(figure, button); });
      figure.appendChild(button);
      figure.classList.add("embed-ready");
    });
  }

  document.addEventListener("DOMContentLoaded", function () { addButtons(document); });
  // Keep reading brings the rest of a story in with htmx.
  document.addEventListener("htmx:afterSettle", function (event) { addButtons(event.target); });
})();
