/* 兴村大屏公用 / what every Xingcun dashboard page shares (a classic script, loaded before the
   page's own): Beijing time whatever the browser's zone, captioned tables, the live state in words. */
"use strict";

// Every date and time in Beijing time (Asia/Shanghai, explicitly), whatever the browser's own zone.
const BEIJING_TIME = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit",
  day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });

function beijingParts(instant) {
  return Object.fromEntries(BEIJING_TIME.formatToParts(new Date(instant)).map((x) => [x.type, x.value]));
}

function beijingDay(instant = Date.now()) {
  const p = beijingParts(instant);
  return `${p.year}-${p.month}-${p.day}`;
}

function beijing(instant) {
  const p = beijingParts(instant);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

function escapeHtml(text) {
  return String(text ?? "—").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

// The table beside a chart (its caption is in the page): header row and body, figures right-aligned.
function fillTable(testid, headers, rows) {
  const table = document.querySelector(`[data-testid="${testid}"]`);
  const figure = (c) => typeof c === "number" || /^-?[\d,]+(\.\d+)?$/.test(String(c));
  table.tHead.innerHTML = "<tr>" + headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join("") + "</tr>";
  table.tBodies[0].innerHTML = rows.map((r) => "<tr>" + r.map((c) =>
    `<td${figure(c) ? ' class="n"' : ""}>${escapeHtml(c)}</td>`).join("") + "</tr>").join("");
}

// The live state in words as well as colour: the element is role="status" aria-live="polite".
const LIVE_TEXT = { open: "实时 / live", connecting: "连接中 / connecting", closed: "已断开 / disconnected" };

function setLive(value) {
  document.querySelector("[data-testid=live]").dataset.state = value;
  document.querySelector("[data-testid=live-text]").textContent = LIVE_TEXT[value];
}
