// Filing form: the exception reason matters only for a township or street office, so it is
// shown only when one is chosen. The server checks the rule whatever the browser shows.
document.querySelectorAll("[data-township-only]").forEach((box) => {
  const townships = (box.dataset.townshipIds || "").split(",").filter(Boolean);
  const select = document.getElementById(box.dataset.departmentField);
  const textarea = box.querySelector("textarea");
  if (!select) return;
  const update = () => {
    box.hidden = !(
      townships.includes(select.value) ||
      (textarea && textarea.value.trim()) ||
      box.querySelector(".field-error")
    );
  };
  select.addEventListener("change", update);
  update();
});
