// Offer form: after htmx added a weekly time, move the keyboard focus to its first day.
document.addEventListener("htmx:afterSettle", () => {
  const rows = document.querySelectorAll("#schedule-rows .offer-schedule");
  if (!rows.length) return;
  const first = rows[rows.length - 1].querySelector("input[type=checkbox]");
  if (first) first.focus();
});
