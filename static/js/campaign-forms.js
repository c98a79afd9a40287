// Small helps on the campaign forms; each works without JavaScript too.
(function () {
  "use strict";
  // A self-inspection's merge target only means something when the proposal is to merge.
  document.querySelectorAll("[data-merge-only]").forEach((holder) => {
    const radios = document.querySelectorAll(`input[name="${holder.dataset.proposalField}"]`);
    const update = () => {
      const chosen = Array.from(radios).find((radio) => radio.checked);
      holder.hidden = !(chosen && chosen.value === "merge");
    };
    radios.forEach((radio) => radio.addEventListener("change", update));
    update();
  });
  // On the decision sheet, the merge target and deadline follow the outcome of their row.
  document.querySelectorAll("tbody.application").forEach((row) => {
    const outcome = row.querySelector("select[name$='-outcome']");
    const target = row.querySelector("input[name$='-merge_target']");
    const deadline = row.querySelector("input[name$='-deadline']");
    if (!outcome) {
      return;
    }
    const update = () => {
      if (target) target.disabled = outcome.value !== "merge";
      if (deadline) deadline.disabled = !["close", "merge"].includes(outcome.value);
    };
    outcome.addEventListener("change", update);
    update();
  });
})();
