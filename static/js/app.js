// Behaviour shared by every page. Kept in a file (no inline scripts) so the
// Content-Security-Policy can allow our own scripts only.
document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
