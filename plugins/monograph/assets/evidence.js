/* Sortable evidence tables: click, Enter or Space on a column heading of a table.sortable.
   Progressive enhancement only: without this script the tables are complete plain tables.
   Sorts on a cell's data-sort attribute when present, otherwise on its text. No dependencies. */
(function () {
  "use strict";

  function value(row, index) {
    var cell = row.children[index];
    if (!cell) return "";
    return cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
  }

  function compare(a, b) {
    var x = parseFloat(a), y = parseFloat(b);
    if (a !== "" && b !== "" && isFinite(a) && isFinite(b)) return x - y;
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
  }

  function sortBy(table, th) {
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var order = compare(value(r1, index), value(r2, index));
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    th.parentNode.querySelectorAll("th").forEach(function (other) { other.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function enhance(table) {
    if (table.dataset.sortableReady || !table.tHead || !table.tBodies.length) return;
    table.dataset.sortableReady = "true";
    table.tHead.querySelectorAll("th").forEach(function (th) {
      th.tabIndex = 0;
      th.title = "Sort by this column";
      th.addEventListener("click", function () { sortBy(table, th); });
      th.addEventListener("keydown", function (event) {
        if (event.key !== "Enter" && event.key !== " ") return;
        event.preventDefault();
        sortBy(table, th);
      });
    });
  }

  function init() { document.querySelectorAll("table.sortable").forEach(enhance); }

  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(init); // Material for MkDocs: fires on every page, instant loading or not
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
