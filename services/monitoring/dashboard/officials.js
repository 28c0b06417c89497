/* 兴村监测预警大屏（干部）/ the officials' alert dashboard. A browser module; ECharts and the SSE
   parser come from npm (shared/dashboard), served under vendor/; Beijing time, the chart tables and
   the live state from common.js.
   The bearer token is kept in this tab's sessionStorage and sent only in the Authorization
   header: EventSource cannot send headers, so the live stream is read with fetch. */
import { createParser } from "./vendor/eventsource-parser.js";

const I18N = {
  title: ["兴村 · 监测预警（干部）", "Xingcun · Alerts for officials"],
  signIn: ["登录", "Sign in"], tokenLabel: ["访问令牌（Bearer）", "Access token (bearer)"], signInButton: ["进入", "Enter"],
  signOut: ["退出", "Sign out"], unresolved: ["未解除预警", "Unresolved alerts"],
  asOfDay: ["账龄截至业务日", "Ages counted to business day"], updated: ["更新时间（北京时间）", "Updated (Beijing time)"],
  open: ["待处理", "open"], acknowledged: ["已确认", "acknowledged"], alerts: ["预警", "alerts"],
};
// Captions and headers of the tables: Chinese first, English beside, whatever the language.
const BOTH = {
  byRule: "各规则未解除预警 / Unresolved alerts by rule", byDistrict: "各区未解除预警 / Unresolved alerts by district",
  ageing: "账龄（业务日）/ Age in business days", latest: "最新动态（实时）/ Latest, live",
  acks: "确认记录 / Who acknowledged what", rule: "规则 rule", district: "区 district", open: "待处理 open",
  acknowledged: "已确认 acknowledged", total: "合计 total", age: "账龄 age", count: "条数 alerts",
  time: "时间（北京）time (Beijing)", event: "事件 event", alert: "预警 alert", alertTitle: "内容 title",
  by: "确认人 by", on: "确认日 on", note: "说明 note", state: "状态 state", operations: "运行 operations",
};
const EVENTS = { AlertRaised: "发现 raised", AlertEscalated: "升级 escalated", AlertAcknowledged: "确认 acknowledged",
                 AlertResolved: "解除 resolved" };
const TOKEN_KEY = "xingcun-officials-token";
const state = { lang: localStorage.getItem("xingcun-lang") || "zh", charts: {}, lastId: null, stream: null,
                rules: {}, districts: {} };

const $ = (sel) => document.querySelector(sel);
const t = (key) => (I18N[key] || [key, key])[state.lang === "zh" ? 0 : 1];
const token = () => sessionStorage.getItem(TOKEN_KEY);

function translate() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.title = t("title");
  for (const el of document.querySelectorAll("[data-i18n]")) {
    el.textContent = BOTH[el.dataset.i18n] || t(el.dataset.i18n);
  }
  for (const el of document.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", BOTH[el.dataset.i18nLabel]);
  $("#lang").textContent = state.lang === "zh" ? "English" : "中文";
}

class Unauthorised extends Error {}

async function api(path) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${token()}` } });
  if (response.status === 401 || response.status === 403) throw new Unauthorised(String(response.status));
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

function chart(id) {
  if (!state.charts[id]) state.charts[id] = echarts.init(document.getElementById(id));
  return state.charts[id];
}

function bars(id, title, names, series, horizontal = false) {
  const category = { type: "category", data: names, axisLabel: { interval: 0, width: 150, overflow: "truncate" } };
  const value = { type: "value", minInterval: 1 };
  chart(id).setOption({
    title: { text: title, left: 10, top: 6, textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" }, legend: { top: 30 },
    grid: { top: 64, left: horizontal ? 170 : 40, right: 16, bottom: 36 },
    xAxis: horizontal ? value : category, yAxis: horizontal ? category : value,
    series: series.map((s) => ({ type: "bar", stack: "n", ...s })),
  }, true);
}

function ruleName(rule) {
  return state.lang === "zh" ? rule.title_zh : rule.title_en;
}

function districtName(d) {
  return d.district ? (d.name || d.district) : BOTH.operations;
}

function districtOf(code) {
  return code ? `${state.districts[code] || ""} ${code}`.trim() : BOTH.operations;
}

function show(summary) {
  state.rules = Object.fromEntries(summary.by_rule.map((r) => [r.rule_id, r]));
  for (const d of summary.by_district) if (d.district) state.districts[d.district] = d.name;
  const unresolved = $("[data-testid=unresolved]");
  unresolved.textContent = String(summary.unresolved);
  unresolved.dataset.value = String(summary.unresolved);
  $("[data-testid=as-of-day]").textContent = summary.as_of_day || "—";
  $("[data-testid=updated]").textContent = beijing(Date.now());

  const colours = { open: "#b71c1c", acknowledged: "#90a4ae" };
  const stacked = (rows) => ["open", "acknowledged"].map((k) => ({ name: t(k), data: rows.map((r) => r[k]), color: colours[k] }));
  bars("chart-rules", BOTH.byRule, summary.by_rule.map(ruleName), stacked(summary.by_rule), true);
  fillTable("table-rules", [BOTH.rule, BOTH.open, BOTH.acknowledged, BOTH.total],
            summary.by_rule.map((r) => [`${r.title_zh} / ${r.title_en}`, r.open, r.acknowledged, r.open + r.acknowledged]));
  bars("chart-districts", BOTH.byDistrict, summary.by_district.map(districtName), stacked(summary.by_district));
  fillTable("table-districts", [BOTH.district, BOTH.open, BOTH.acknowledged, BOTH.total],
            summary.by_district.map((d) => [districtName(d), d.open, d.acknowledged, d.open + d.acknowledged]));
  const label = (b) => (state.lang === "zh" ? b.label_zh : b.label_en);
  bars("chart-ageing", BOTH.ageing, summary.ageing.map(label), [{ name: t("alerts"), data: summary.ageing.map((b) => b.count), color: "#b71c1c" }]);
  fillTable("table-ageing", [BOTH.age, BOTH.count], summary.ageing.map((b) => [`${b.label_zh} / ${b.label_en}`, b.count]));
  fillTable("table-acks", [BOTH.alert, BOTH.alertTitle, BOTH.district, BOTH.by, BOTH.on, BOTH.note, BOTH.state],
            summary.acknowledgements.map((a) => [a.alert_id, a.title, districtName({ district: a.district, name: a.district_name }),
                                                 a.acknowledged_by, a.acknowledged_on, a.note, a.state]));
  document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
}

// A later load (or a sign-out) supersedes those in flight: an older answer — perhaps for the
// official who signed out — never lands on the board after it.
let generation = 0;

async function load() {
  const mine = ++generation;
  const summary = await api("/alerts/summary");
  if (mine === generation) show(summary);
}

let reloadTimer = null;
function scheduleReload() {
  if (reloadTimer) return;
  reloadTimer = setTimeout(() => { reloadTimer = null; load().catch(failed); }, 300);
}

const latest = [];
function heard(message) {
  const data = JSON.parse(message.data);
  latest.unshift([beijing(data.recorded_at), EVENTS[data.type] || data.type,
                  state.rules[data.rule_id] ? `${state.rules[data.rule_id].title_zh} / ${state.rules[data.rule_id].title_en}` : data.rule_id,
                  districtOf(data.district), data.alert_id]);
  latest.length = Math.min(latest.length, 20);
  fillTable("table-live", [BOTH.time, BOTH.event, BOTH.rule, BOTH.district, BOTH.alert], latest);
  scheduleReload();
}

async function follow() {
  // One stream at a time; on a break, resume after the last event heard (Last-Event-ID).
  const controller = new AbortController();
  state.stream = controller;
  while (!controller.signal.aborted && token()) {
    setLive("connecting");
    try {
      const headers = { Authorization: `Bearer ${token()}`, Accept: "text/event-stream" };
      if (state.lastId) headers["Last-Event-ID"] = state.lastId;
      const response = await fetch("/alerts/stream", { headers, signal: controller.signal, cache: "no-store" });
      if (response.status === 401 || response.status === 403) throw new Unauthorised(String(response.status));
      if (!response.ok || !response.body) throw new Error(`stream: ${response.status}`);
      setLive("open");
      const parser = createParser({ onEvent: (message) => {
        if (message.id) state.lastId = message.id;
        if (message.event && message.event !== "ready") heard(message);
      } });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(value);
      }
    } catch (error) {
      if (controller.signal.aborted) break;
      if (error instanceof Unauthorised) { failed(error); break; }
      console.warn("xingcun: stream", error.message || error);
    }
    if (controller.signal.aborted) break;
    setLive("closed");
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  setLive("closed");
}

function failed(error) {
  if (error instanceof Unauthorised) {
    signOut();
    $("#login-error").textContent = "令牌无效或已过期 / the token is invalid or has expired";
    return;
  }
  console.warn("xingcun:", error.message || error);  // the figures keep their last good values
}

function signOut() {
  generation += 1;
  sessionStorage.removeItem(TOKEN_KEY);
  if (state.stream) state.stream.abort();
  state.stream = null;
  state.lastId = null;
  $("#board").hidden = true;
  $("#signout").hidden = true;
  $("#login").hidden = false;
  setLive("closed");
}

async function signedIn() {
  $("#login").hidden = true;
  $("#board").hidden = false;
  $("#signout").hidden = false;
  $("#login-error").textContent = "";
  await load();
  follow();
}

function main() {
  translate();
  setLive("closed");
  $("#lang").addEventListener("click", () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    localStorage.setItem("xingcun-lang", state.lang);
    translate();
    if (token()) load().catch(failed);
  });
  $("#login").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("#token").value.trim().replace(/^Bearer\s+/i, ""));
    $("#token").value = "";
    signedIn().catch(failed);
  });
  $("#signout").addEventListener("click", signOut);
  window.addEventListener("resize", () => Object.values(state.charts).forEach((c) => c.resize()));
  if (token()) signedIn().catch(failed); else signOut();
}

main();
