// The member picker (accounts/people.py): a text box that lists matching people as one types.
// Without this script the form still works: the server looks the text up when the form is sent.
// With it, the box becomes a combobox (ARIA 1.2 pattern): arrows move, Enter or a tap chooses,
// Escape closes. The list comes from /people/search/, which finds only whom the form would accept.
(() => {
  const DELAY = 200;

  function setUp(root) {
    const box = root.querySelector("input[type=text]");
    const hidden = root.querySelector("input[type=hidden]");
    const list = root.querySelector(".picker-list");
    if (!box || !hidden || !list) return;
    let chosenLabel = hidden.value ? box.value : null;
    let active = -1;
    let timer = null;
    let asked = 0;

    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-expanded", "false");
    box.setAttribute("aria-controls", list.id);

    const options = () => Array.from(list.querySelectorAll("[role=option]"));

    function close() {
      list.hidden = true;
      box.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      const all = options();
      if (!all.length) return;
      active = (index + all.length) % all.length;
      all.forEach((li, i) => li.setAttribute("aria-selected", i === active ? "true" : "false"));
      box.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }

    function choose(li) {
      box.value = li.dataset.label;
      hidden.value = li.dataset.id;
      chosenLabel = li.dataset.label;
      // The server's own choice (radio buttons after an ambiguous search) is no longer needed.
      const choices = root.querySelector(".picker-choices");
      if (choices) choices.remove();
      close();
    }

    function show(results) {
      list.replaceChildren();
      if (!results.length) {
        const li = document.createElement("li");
        li.className = "picker-empty";
        li.textContent = root.dataset.empty || box.getAttribute("placeholder") || "";
        list.append(li);
      }
      results.forEach((r, i) => {
        const li = document.createElement("li");
        li.id = `${list.id}-${i}`;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.id = r.id;
        li.dataset.label = r.label;
        li.textContent = r.label;
        li.addEventListener("mousedown", (e) => e.preventDefault()); // keep the focus in the box
        li.addEventListener("click", () => choose(li));
        list.append(li);
      });
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
      active = -1;
    }

    async function search() {
      const q = box.value.trim();
      if (!q) return close();
      const ticket = ++asked;
      const url = new URL(root.dataset.pickerUrl, window.location.href);
      url.searchParams.set("q", q);
      try {
        const answer = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (!answer.ok || ticket !== asked) return;
        show((await answer.json()).results || []);
      } catch (e) {
        close(); // offline: the form's own lookup still works when it is sent
      }
    }

    box.addEventListener("input", () => {
      if (box.value !== chosenLabel) {
        hidden.value = "";
        chosenLabel = null;
      }
      clearTimeout(timer);
      timer = setTimeout(search, DELAY);
    });
    box.addEventListener("keydown", (e) => {
      if (list.hidden) {
        if (e.key === "ArrowDown" && box.value.trim()) { search(); e.preventDefault(); }
        return;
      }
      if (e.key === "ArrowDown") { highlight(active + 1); e.preventDefault(); }
      else if (e.key === "ArrowUp") { highlight(active - 1); e.preventDefault(); }
      else if (e.key === "Enter" && active >= 0) { choose(options()[active]); e.preventDefault(); }
      else if (e.key === "Escape") { close(); e.preventDefault(); }
    });
    box.addEventListener("blur", () => setTimeout(close, 150));
  }

  function start() {
    document.querySelectorAll(".person-picker[data-picker-url]").forEach(setUp);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
