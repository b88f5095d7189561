// The local runner's page. It reads the runner's own JSON API, as any client does, with a token the
// person gives once per tab (kept in sessionStorage, never in the page or its address), and polls
// while a run is in progress so steps, status and logs move as the run goes.
"use strict";

(() => {
  const TOKEN_KEY = "dbt-cloud-local-runner-token";
  const POLL_MS = 2000;
  // With nothing in progress the runs list still looks for new runs, less often.
  const IDLE_POLL_MS = 15000;
  const RUNS_SHOWN = 50;
  const $ = (id) => document.getElementById(id);

  class Refused extends Error {}

  // Where the page is: `/deploy/{account}/projects/{project}/runs/[{run}/]` as on dbt Cloud, or `/`.
  const where = (() => {
    const found = location.pathname.match(/^\/deploy\/(\d+)\/projects\/(\d+)\/runs\/(?:(\d+)\/?)?$/);
    // Runs' href was `/#/accounts/{account}/runs/{id}/` before the page existed: still opens the run.
    const earlier = location.hash.match(/^#\/accounts\/(\d+)\/runs\/(\d+)\/?$/);
    if (!found && earlier) return { account: Number(earlier[1]), project: null, run: Number(earlier[2]) };
    if (!found) return { account: null, project: null, run: null };
    return { account: Number(found[1]), project: Number(found[2]), run: found[3] ? Number(found[3]) : null };
  })();

  const token = () => sessionStorage.getItem(TOKEN_KEY) || "";

  async function call(path, params) {
    const url = new URL(path, location.origin);
    for (const [key, value] of Object.entries(params || {})) url.searchParams.append(key, String(value));
    const answer = await fetch(url, { headers: { Authorization: `Token ${token()}` }, cache: "no-store" });
    if (answer.status === 401) throw new Refused("The runner refused the token.");
    return answer;
  }

  async function api(path, params) {
    const answer = await call(path, params);
    let body = null;
    try {
      body = await answer.json();
    } catch (ignored) {
      body = null;
    }
    if (!answer.ok) {
      const said = body && body.status && (body.status.developer_message || body.status.user_message);
      throw new Error(said || `The runner answered ${answer.status} to ${path}.`);
    }
    return body.data;
  }

  function say(text) {
    $("message").textContent = text || "";
  }

  function element(tag, text, attributes) {
    const made = document.createElement(tag);
    if (text !== undefined && text !== null) made.textContent = String(text);
    for (const [key, value] of Object.entries(attributes || {})) made.setAttribute(key, value);
    return made;
  }

  function statusCell(humanized) {
    const name = humanized || "unknown";
    return element("td", name, { class: `status status-${name.toLowerCase()}` });
  }

  function runPath(account, project, id) {
    return `/deploy/${account}/projects/${project}/runs/${id}/`;
  }

  // -- the runs list ---------------------------------------------------------------------------

  async function showRuns(account) {
    const params = { order_by: "-id", limit: RUNS_SHOWN, include_related: "job" };
    if (where.project !== null) params.project_id = where.project;
    const runs = await api(`/api/v2/accounts/${account}/runs/`, params);
    const body = $("runs-table").tBodies[0];
    const rows = runs.map((run) => {
      const row = element("tr", null, run.id === where.run ? { class: "current" } : {});
      const link = element("a", `Run ${run.id}`, { href: runPath(run.account_id, run.project_id, run.id) });
      const cell = element("td");
      cell.append(link);
      const job = run.job ? run.job.name : `job ${run.job_definition_id}`;
      row.append(cell, element("td", job), statusCell(run.status_humanized));
      row.append(element("td", run.duration_humanized), element("td", run.created_at_humanized, { title: run.created_at }));
      return row;
    });
    if (rows.length === 0) {
      const empty = element("td", "No runs yet: dbt-cloud job run --job-id N starts one.", { colspan: "5" });
      rows.push(element("tr"));
      rows[0].append(empty);
    }
    body.replaceChildren(...rows);
    $("runs").hidden = false;
    return runs.some((run) => run.in_progress);
  }

  // -- one run ---------------------------------------------------------------------------------

  // The API writes `2026-01-02 03:04:05.678901+00:00`; shown in the reader's own time.
  function when(stamp) {
    if (!stamp) return null;
    const parsed = new Date(stamp.replace(" ", "T").replace(/(\.\d{3})\d+/, "$1"));
    return Number.isNaN(parsed.getTime()) ? stamp : parsed.toLocaleString();
  }

  function fact(list, term, value) {
    if (value === undefined || value === null || value === "") return;
    list.append(element("dt", term), element("dd", value));
  }

  function showSteps(steps) {
    const rows = steps.map((step) => {
      const row = element("tr");
      row.append(element("td", step.index), element("td", step.name), statusCell(step.status_humanized));
      row.append(element("td", step.finished_at ? step.duration_humanized : "-"));
      return row;
    });
    $("steps").tBodies[0].replaceChildren(...rows);
    const logs = $("logs");
    if (steps.length === 0) logs.replaceChildren(element("p", "No step has started yet.", { class: "hint" }));
    else if (!logs.querySelector("details")) logs.replaceChildren();
    steps.forEach((step, position) => {
      // Each step's log keeps its element, so what the person opened or scrolled stays put.
      let section = logs.querySelector(`details[data-step="${step.index}"]`);
      if (!section) {
        section = element("details", null, { "data-step": String(step.index) });
        section.append(element("summary"), element("pre", null, { class: "log" }));
        const failed = step.status_humanized === "Error";
        section.open = failed || !step.finished_at || position === steps.length - 1;
        logs.append(section);
      }
      section.querySelector("summary").textContent = `${step.index}. ${step.name} (${step.status_humanized})`;
      const pre = section.querySelector("pre");
      const text = step.logs || "(no log yet)";
      if (pre.textContent !== text) {
        const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
        pre.textContent = text;
        if (atEnd) pre.scrollTop = pre.scrollHeight;
      }
    });
  }

  async function download(link, path) {
    try {
      const answer = await call(link.getAttribute("href"));
      if (!answer.ok) throw new Error(`The runner answered ${answer.status} for ${path}.`);
      const url = URL.createObjectURL(await answer.blob());
      const save = element("a", null, { href: url, download: path.split("/").pop() });
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (error) {
      say(error.message);
    }
  }

  async function showArtifacts(account, run) {
    const list = $("artifacts");
    if (run.in_progress) {
      list.replaceChildren(element("li", "The run's files appear here once it has finished."));
      return;
    }
    const names = await api(`/api/v2/accounts/${account}/runs/${run.id}/artifacts/`);
    // The files dbt writes at the top (manifest.json, run_results.json, ...) before the compiled SQL.
    const depth = (path) => path.split("/").length;
    names.sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
    const items = names.map((path) => {
      const href = `/api/v2/accounts/${account}/runs/${run.id}/artifacts/${path.split("/").map(encodeURIComponent).join("/")}`;
      const link = element("a", path, { href, download: path.split("/").pop(), "data-path": path });
      link.addEventListener("click", (event) => {
        event.preventDefault(); // the API wants the token in a header, which a plain link cannot send
        download(link, path);
      });
      const item = element("li");
      item.append(link);
      return item;
    });
    if (items.length === 0) items.push(element("li", "The run wrote no files."));
    list.replaceChildren(...items);
  }

  let artifactsShownFor = null;

  async function showRun(account, id) {
    const run = await api(`/api/v2/accounts/${account}/runs/${id}/`, { include_related: "run_steps,job,trigger" });
    const job = run.job ? run.job.name : `job ${run.job_definition_id}`;
    $("run-title").textContent = `Run ${run.id}: ${job}`;
    document.title = `Run ${run.id}: ${run.status_humanized} - dbt-cloud local runner`;
    const facts = $("run-facts");
    facts.replaceChildren();
    const status = element("dd", run.status_humanized, { class: `status status-${run.status_humanized.toLowerCase()}`, id: "run-status" });
    facts.append(element("dt", "Status"), status);
    fact(facts, "Message", run.status_message);
    fact(facts, "Duration", run.duration_humanized);
    fact(facts, "Created", when(run.created_at));
    fact(facts, "Finished", when(run.finished_at));
    fact(facts, "Cause", run.trigger && run.trigger.cause);
    fact(facts, "dbt", run.dbt_version);
    showSteps(run.run_steps || []);
    if (artifactsShownFor !== `${run.id}:${run.status}`) {
      await showArtifacts(account, run);
      artifactsShownFor = `${run.id}:${run.status}`;
    }
    $("run").hidden = false;
    return run.in_progress;
  }

  // -- the loop --------------------------------------------------------------------------------

  function askForToken(why) {
    say(why);
    $("forget").hidden = true;
    $("run").hidden = true;
    $("runs").hidden = true;
    $("token-form").hidden = false;
    $("token").focus();
  }

  // A finished run no longer changes: its page stops asking for it (and its logs) once it has shown it.
  let runFinished = false;

  async function refresh(account) {
    try {
      const showing = where.run !== null && !runFinished ? showRun(account, where.run) : Promise.resolve(false);
      const [runRunning, listRunning] = await Promise.all([showing, showRuns(account)]);
      if (where.run !== null && !runRunning) runFinished = true;
      say("");
      const busy = runRunning || listRunning;
      setTimeout(() => refresh(account), busy && !document.hidden ? POLL_MS : IDLE_POLL_MS);
    } catch (error) {
      if (error instanceof Refused) {
        sessionStorage.removeItem(TOKEN_KEY);
        askForToken("The runner refused that token (401 Invalid token): give one of this runner's tokens.");
      } else if (error instanceof TypeError) {
        say("The runner does not answer (is dbt-cloud local serve still running?); trying again.");
        setTimeout(() => refresh(account), POLL_MS * 2);
      } else {
        say(error.message);
      }
    }
  }

  async function start() {
    if (!token()) {
      askForToken("");
      return;
    }
    $("token-form").hidden = true;
    $("forget").hidden = false;
    let account = where.account;
    try {
      if (account === null) account = (await api("/api/v2/accounts/"))[0].id;
    } catch (error) {
      if (error instanceof Refused) {
        sessionStorage.removeItem(TOKEN_KEY);
        askForToken("The runner refused that token (401 Invalid token): give one of this runner's tokens.");
      } else {
        say(error.message);
      }
      return;
    }
    $("account").textContent = `account ${account}`;
    await refresh(account);
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("token-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const given = $("token").value.trim();
      if (!given) return;
      sessionStorage.setItem(TOKEN_KEY, given);
      $("token").value = "";
      start();
    });
    $("forget").addEventListener("click", () => {
      sessionStorage.removeItem(TOKEN_KEY);
      askForToken("");
    });
    start();
  });
})();
