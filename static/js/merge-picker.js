// The merge-target picker. The page renders a box for the filing number (备案编号) of the account
// to merge into: that is what the form posts, and what a user without JavaScript types in. Here
// the box is hidden behind a search of the district's live accounts, grouped by unit, from the URL
// in its data-merge-picker (audits.campaigns.views.merge_targets), so no page carries a list of
// every account.
(function () {
  "use strict";
  let serial = 0;

  function picker(box) {
    const id = `merge-picker-${(serial += 1)}`;
    const texts = box.dataset;
    const name = box.nextElementSibling && box.nextElementSibling.classList.contains("merge-picker-name")
      ? box.nextElementSibling
      : null;
    const wrapper = document.createElement("span");
    wrapper.className = "merge-picker";
    const search = document.createElement("input");
    Object.assign(search, { type: "search", id: `${id}-search`, className: "merge-picker-search", autocomplete: "off" });
    search.placeholder = texts.textSearch || "";
    search.value = texts.label || box.value;
    search.setAttribute("role", "combobox");
    search.setAttribute("aria-autocomplete", "list");
    search.setAttribute("aria-expanded", "false");
    search.setAttribute("aria-controls", `${id}-list`);
    const list = document.createElement("div");
    Object.assign(list, { id: `${id}-list`, className: "merge-picker-list", hidden: true });
    list.setAttribute("role", "listbox");
    const status = document.createElement("span");
    status.className = "merge-picker-status";
    status.setAttribute("role", "status");
    // The box's label now names the search; the box itself only carries the value.
    if (box.id) {
      document.querySelectorAll(`label[for="${box.id}"]`).forEach((label) => { label.htmlFor = search.id; });
    }
    if (box.getAttribute("aria-describedby")) {
      search.setAttribute("aria-describedby", box.getAttribute("aria-describedby"));
    }
    box.type = "hidden";
    if (name) name.hidden = true;
    box.after(wrapper);
    wrapper.append(search, list, status);

    let options = [];
    let active = -1;
    let asked = 0;
    let timer = null;

    // The list floats over the page (a table's scrolling wrapper would clip it where it stands),
    // below the box, or above it where the window has more room there: a box at the foot of the
    // page would otherwise open its list out of sight, where no scrolling reaches it.
    function place() {
      const rect = search.getBoundingClientRect();
      const gap = 2;
      const below = window.innerHeight - rect.bottom - gap;
      const above = rect.top - gap;
      const upward = list.scrollHeight > below && above > below;
      list.style.maxHeight = `min(20rem, ${Math.max(Math.floor(upward ? above : below) - 8, 64)}px)`;
      list.style.top = upward ? "auto" : `${rect.bottom + gap}px`;
      list.style.bottom = upward ? `${window.innerHeight - rect.top + gap}px` : "auto";
      list.style.left = `${rect.left}px`;
    }

    function open(isOpen) {
      list.hidden = !isOpen;
      search.setAttribute("aria-expanded", String(isOpen));
      if (isOpen) {
        place();
        window.addEventListener("scroll", place, true);
        window.addEventListener("resize", place);
      } else {
        window.removeEventListener("scroll", place, true);
        window.removeEventListener("resize", place);
        active = -1;
        search.removeAttribute("aria-activedescendant");
      }
    }

    function forget() {
      // What is listed belongs to the words searched before: never choose from it.
      list.replaceChildren();
      options = [];
      open(false);
    }

    function highlight(index) {
      options.forEach((option, i) => {
        option.classList.toggle("active", i === index);
        option.setAttribute("aria-selected", String(i === index));
      });
      active = index;
      if (index >= 0) {
        search.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      }
    }

    function choose(option) {
      box.value = option ? option.dataset.value : "";
      texts.label = option ? option.dataset.label : "";
      search.value = texts.label;
      status.textContent = "";
      open(false);
      box.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function show(data) {
      list.replaceChildren();
      options = [];
      data.results.forEach((group, g) => {
        const holder = document.createElement("div");
        holder.setAttribute("role", "group");
        holder.setAttribute("aria-labelledby", `${id}-unit-${g}`);
        const unit = document.createElement("div");
        Object.assign(unit, { id: `${id}-unit-${g}`, className: "merge-picker-unit", textContent: group.unit });
        holder.append(unit);
        group.accounts.forEach((account) => {
          const option = document.createElement("div");
          option.id = `${id}-option-${options.length}`;
          option.setAttribute("role", "option");
          option.setAttribute("aria-selected", "false");
          option.dataset.value = account.filing_number;
          option.dataset.label = account.label;
          const number = document.createElement("span");
          Object.assign(number, { className: "merge-picker-number", textContent: account.filing_number });
          option.append(account.label, " ", number);
          option.addEventListener("mousedown", (event) => {
            event.preventDefault(); // keep the focus in the search
            choose(option);
          });
          holder.append(option);
          options.push(option);
        });
        list.append(holder);
      });
      if (data.more) {
        const more = document.createElement("div");
        Object.assign(more, { className: "merge-picker-more", textContent: texts.textMore || "" });
        list.append(more);
      }
      status.textContent = options.length ? "" : texts.textNone || "";
      open(options.length > 0);
    }

    function load() {
      const query = new URLSearchParams({ q: search.value === texts.label ? "" : search.value.trim() });
      if (texts.account) query.set("account", texts.account);
      const mine = (asked += 1);
      fetch(`${texts.mergePicker}?${query}`, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then((data) => { if (mine === asked) show(data); })
        .catch(() => { if (mine === asked) { status.textContent = texts.textFailed || ""; open(false); } });
    }

    search.addEventListener("input", () => {
      forget();
      clearTimeout(timer);
      timer = setTimeout(load, 200);
    });
    search.addEventListener("focus", () => {
      search.select();
      load();
    });
    search.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) { load(); return; }
        const step = event.key === "ArrowDown" ? 1 : -1;
        highlight((active + step + options.length) % options.length);
      } else if (event.key === "Enter") {
        event.preventDefault(); // a search box: Enter chooses, it never submits the form
        if (!list.hidden && active >= 0) choose(options[active]);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        search.value = texts.label || "";
        open(false);
      }
    });
    search.addEventListener("blur", () => {
      clearTimeout(timer);
      open(false);
      // Emptied: no target. Typed but not chosen: the choice stays what it was.
      if (!search.value.trim()) {
        if (box.value) choose(null);
      } else {
        search.value = texts.label || "";
      }
    });
    // The decision sheet switches the box off when the row's outcome is not a merger.
    new MutationObserver(() => { search.disabled = box.disabled; }).observe(box, { attributes: true, attributeFilter: ["disabled"] });
    search.disabled = box.disabled;
  }

  document.querySelectorAll("input[data-merge-picker]").forEach(picker);
})();
