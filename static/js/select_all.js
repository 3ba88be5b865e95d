// A "select all" checkbox: <input type="checkbox" data-select-all="NAME"> ticks or clears every
// checkbox named NAME on the page (the staff verification queue).
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-select-all]");
  if (!all) return;
  for (const box of document.querySelectorAll(`input[type=checkbox][name="${all.dataset.selectAll}"]`)) {
    box.checked = all.checked;
  }
});
