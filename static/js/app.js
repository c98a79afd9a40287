// Behaviour shared by every page. Kept in a file (no inline scripts) so the
// Content-Security-Policy can allow our own scripts only.
document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});

// Long work done by a worker (an inspection run, an uploaded file being read): its page asks for
// the status every 2 s, shows the rows read so far, and reloads when the work moves on or ends.
(function () {
  "use strict";
  const progress = document.querySelector("[data-run-status-url]");
  if (!progress) {
    return;
  }
  const url = progress.dataset.runStatusUrl;
  const rowsRead = progress.querySelector("[data-rows-read]");
  const poll = () => {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((work) => {
        if (!work.under_way || work.status !== progress.dataset.runStatus) {
          window.location.reload(); // queued → running → done: the page says what is happening now
          return;
        }
        if (rowsRead && work.rows_read !== undefined) {
          rowsRead.textContent = work.rows_read;
        }
        window.setTimeout(poll, 2000);
      })
      .catch(() => window.setTimeout(poll, 5000)); // the server restarting: try again, slower
  };
  window.setTimeout(poll, 2000);
})();
