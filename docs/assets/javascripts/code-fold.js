/* Folded code (hooks/code_markup.py; loaded by the pages that have some): a
   long part of a snippet shown whole in an earlier block is folded, and its
   fold line's button shows the lines in place, or hides them again. The
   stylesheet (code-fold.css) folds them as the page is drawn, and draws the
   button's word from its label. */
document.addEventListener("click", (event) => {
  const button = event.target.closest(".code-fold > button");
  if (!button) return;
  const open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", String(open));
  button.setAttribute("aria-label", open ? "hide" : "show");
  button.parentElement.nextElementSibling.toggleAttribute("data-open", open);
});
