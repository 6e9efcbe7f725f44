// Insert photo on the article and page forms (templates/editor/_insert_photo.html): the button
// opens the dialog, htmx fills it from the photo library, and the snippet that an upload or a
// choice answers with goes into the body where the cursor was, on a line of its own. Without
// this script the control stays a link to the library, whose snippets are copied by hand.
(function () {
  "use strict";

  // A snippet is a photo only as a paragraph of its own: an empty line before and after it.
  function breaksBefore(text) {
    if (text === "" || text.endsWith("\n\n")) return "";
    return text.endsWith("\n") ? "\n" : "\n\n";
  }

  function breaksAfter(text) {
    if (text.startsWith("\n\n")) return "";
    return text === "" || text.startsWith("\n") ? "\n" : "\n\n";
  }

  function insertAtCursor(textarea, snippet) {
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    var text = breaksBefore(textarea.value.slice(0, start)) + snippet +
      breaksAfter(textarea.value.slice(end));
    textarea.setRangeText(text, start, end, "end");
    // What typing sends: the live preview and autosave follow it.
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function setUp(dialog) {
    var textarea = document.getElementById(dialog.dataset.insertInto);
    var link = document.querySelector('[data-dialog-link="' + dialog.id + '"]');
    var button = document.querySelector('[data-opens-dialog="' + dialog.id + '"]');
    if (!textarea || !button || typeof dialog.showModal !== "function") return;
    if (link) link.hidden = true;
    button.hidden = false;

    button.addEventListener("click", function () {
      dialog.returnValue = "";
      dialog.showModal();
      // htmx fills the dialog afresh: a new upload form, the library as it is now.
      dialog.dispatchEvent(new CustomEvent("insert-photo-open"));
    });

    dialog.addEventListener("htmx:afterSettle", function () {
      var answer = dialog.querySelector("[data-photo-snippet]");
      if (!answer) return;
      answer.removeAttribute("data-photo-snippet");
      insertAtCursor(textarea, answer.value);
      dialog.close("inserted");
      textarea.focus();
    });

    // Closed without a photo (Close, Escape): back to the button that opened it.
    dialog.addEventListener("close", function () {
      if (dialog.returnValue !== "inserted") button.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("dialog[data-insert-into]").forEach(setUp);
  });
})();
