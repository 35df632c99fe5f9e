// cinecode studio: each page is filled from /api/… and kept current from /api/events.
"use strict";

const $ = (selector, root = document) => root.querySelector(selector);
const page = document.body.dataset.page;
const shotId = document.body.dataset.shot || "";

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name === "style") node.style.cssText = value; // the CSSOM, which the CSP allows
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(path, body) {
  const options = body === undefined
    ? { credentials: "same-origin" }
    : {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      };
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok && response.status !== 409) {
    throw new Error(data.detail || `${response.status} ${response.statusText}`);
  }
  return { status: response.status, data };
}

function status(text) {
  $("#status").textContent = text || "";
}

function fmt(seconds) {
  const s = Number(seconds || 0);
  return `${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, "0")}`;
}

// --- live events ------------------------------------------------------------------------------

const listeners = [];
function onEvent(fn) { listeners.push(fn); }
function listen() {
  const source = new EventSource("/api/events");
  source.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.type === "busy") {
      status(event.pid ? `another cinecode (pid ${event.pid}) is building this project` : "");
    }
    for (const fn of listeners) fn(event);
  };
}

// --- board ------------------------------------------------------------------------------------

let boardData = null;

function badges(shot) {
  const out = [];
  if (shot.generating !== undefined && shot.generating !== null) {
    out.push(el("span", { class: "badge generating", text: `generating ${Math.round(shot.generating * 100)}%` }));
  }
  if (shot.failed) out.push(el("span", { class: "badge failed", title: shot.failed, text: "failed" }));
  else if (shot.stale) out.push(el("span", { class: "badge stale", title: shot.stale, text: "stale" }));
  else out.push(el("span", { class: "badge built", text: "built" }));
  if (shot.locked) out.push(el("span", { class: "badge locked", text: "locked" }));
  if (shot.takes) out.push(el("span", { class: "badge", text: `${shot.takes} takes` }));
  if (shot.cost) out.push(el("span", { class: "badge", text: `${shot.cost.toFixed(2)}` }));
  return out;
}

function shotState(shot) {
  if (shot.generating !== undefined && shot.generating !== null) return "generating";
  if (shot.failed) return "failed";
  if (shot.locked) return "locked";
  return shot.stale ? "stale" : "built";
}

function card(shot) {
  const thumb = shot.thumb
    ? el("img", { src: `/thumb/${shot.thumb}`, loading: "lazy", alt: `shot ${shot.id}`, width: 160, height: 90 })
    : el("div", { class: "nothumb", text: "not drawn yet" });
  return el(
    "a",
    { class: `card ${shotState(shot)}`, href: `/shot/${shot.id}`, "data-shot": shot.id, "data-state": shotState(shot) },
    thumb,
    el("div", { class: "id", text: shot.id }),
    el("div", { class: "meta", text: `${shot.size} · ${shot.move} · ${Number(shot.seconds).toFixed(1)} s` }),
    el("div", { class: "badges" }, badges(shot)),
    shot.failed ? el("div", { class: "error", text: shot.failed }) : null,
    shot.stale && !shot.failed ? el("div", { class: "why", text: shot.stale }) : null,
  );
}

// A feature has some 1,500 cards: a new board replaces only the cards and scene rows that
// changed (each kept with the JSON it was drawn from), so a pick redraws one card, not all.
const drawn = new Map(); // key → { sig, node }

function reuse(key, value, draw) {
  const sig = JSON.stringify(value);
  const known = drawn.get(key);
  if (known && known.sig === sig) return known.node;
  const node = draw(value);
  drawn.set(key, { sig, node });
  return node;
}

function sameChildren(parent, nodes) {
  const now = parent.children;
  if (now.length !== nodes.length) return false;
  for (let i = 0; i < nodes.length; i += 1) if (now[i] !== nodes[i]) return false;
  return true;
}

function renderBoard() {
  const root = $("#board");
  if (!boardData) return;
  if (boardData.error) {
    root.replaceChildren(el("p", { class: "error", text: boardData.error }));
    return;
  }
  const form = $("#filters");
  const want = { scene: form.scene.value, character: form.character.value, status: form.status.value };
  const rows = [];
  for (const scene of boardData.scenes) {
    if (want.scene && scene.id !== want.scene) continue;
    const shots = scene.shots.filter((shot) =>
      (!want.character || shot.characters.includes(want.character)) &&
      (!want.status || shotState(shot) === want.status));
    if (!shots.length) continue;
    const header = { id: scene.id, heading: scene.heading, seconds: scene.seconds, mood: scene.mood };
    const row = reuse(`scene ${scene.id}`, header, () => el(
      "section",
      { class: "scene", "data-scene": scene.id },
      el("h2", {}, el("span", { class: "num", text: scene.id }), ` ${scene.heading} `,
        el("span", { class: "muted", text: `${fmt(scene.seconds)} · ${scene.mood || ""}` })),
      el("div", { class: "cards" }),
    ));
    const cards = shots.map((shot) => reuse(`shot ${shot.id}`, shot, card));
    const box = row.querySelector(".cards");
    if (!sameChildren(box, cards)) box.replaceChildren(...cards);
    rows.push(row);
  }
  if (!sameChildren(root, rows)) root.replaceChildren(...rows);
}

function fillFilters() {
  const form = $("#filters");
  if (form.scene.options.length > 1) return;
  for (const scene of boardData.scenes) {
    form.scene.append(el("option", { value: scene.id, text: `${scene.id} ${scene.heading}` }));
  }
  for (const name of boardData.characters) form.character.append(el("option", { value: name, text: name }));
}

async function loadBoard() {
  boardData = (await api("/api/board")).data;
  if (!boardData.error) fillFilters();
  renderBoard();
}

let reloading = null;
function reloadBoard() { // events come in bursts: one fetch for a burst
  clearTimeout(reloading);
  reloading = setTimeout(loadBoard, 150);
}

function board() {
  $("#filters").addEventListener("change", renderBoard);
  onEvent((event) => {
    if (event.type === "files" || event.type === "done") reloadBoard();
    if (event.type === "job" && event.shot && event.task === "takes" && boardData) {
      for (const scene of boardData.scenes) for (const shot of scene.shots) {
        if (shot.id === event.shot) shot.generating = event.state === "running" ? event.fraction : 0;
      }
      renderBoard();
    }
  });
  loadBoard();
}

// --- shot -------------------------------------------------------------------------------------

let shotData = null;

function takeView(take) {
  const src = `/media/${take.key}`;
  const media = take.video
    ? el("video", { src, muted: true, loop: true, playsinline: true, autoplay: true, preload: "auto" })
    : el("img", { src, alt: `take ${take.number}` });
  const marks = [];
  if (take.in_cut) marks.push(el("span", { class: "badge built", text: "in the cut" }));
  if (take.picked) marks.push(el("span", { class: "badge", text: "picked" }));
  if (!take.current) marks.push(el("span", { class: "badge stale", text: "older version" }));
  if (take.rejected) marks.push(el("span", { class: "badge failed", text: "rejected" }));
  if (take.suggested && !take.in_cut) marks.push(el("span", { class: "badge suggested", text: "suggested" }));
  const scores = take.score === null || take.score === undefined ? "–" : take.score.toFixed(2);
  return el(
    "figure",
    { class: `take${take.in_cut ? " in-cut" : ""}`, "data-take": take.number, "data-key": take.short },
    media,
    el("figcaption", {},
      el("strong", { text: `#${take.number} ` }), el("code", { text: take.short }),
      el("div", { class: "badges" }, marks),
      el("dl", {},
        el("dt", { text: "seed" }), el("dd", { text: take.seed }),
        el("dt", { text: "backend" }), el("dd", { text: `${take.backend} ${take.model || ""}` }),
        el("dt", { text: "cost" }), el("dd", { text: Number(take.cost).toFixed(2) }),
        el("dt", { text: "score" }), el("dd", { text: scores }),
        ...(take.consistency ? [el("dt", { text: "consistency" }), el("dd", { class: "consistency", text: take.consistency })] : []),
        el("dt", { text: "prompt" }), el("dd", { class: "prompt", text: take.prompt }),
        ...(take.drew ? [el("dt", { text: "drew" }), el("dd", { class: "drew", text: take.drew })] : [])),
      el("div", { class: "buttons" },
        el("button", { type: "button", class: "pick", onclick: () => pick(take.number), text: "Pick" }),
        take.rejected
          ? el("button", { type: "button", class: "unreject", onclick: () => act("unreject", { take: String(take.number) }), text: "Un-reject" })
          : el("button", { type: "button", class: "reject", onclick: () => act("reject", { take: String(take.number) }), text: "Reject" }))),
  );
}

function renderShot() {
  const d = shotData;
  const root = $("#shot");
  root.replaceChildren(
    el("nav", { class: "prevnext" },
      d.previous ? el("a", { href: `/shot/${d.previous}`, id: "previous", text: `← ${d.previous}` }) : "",
      d.next ? el("a", { href: `/shot/${d.next}`, id: "next", text: `${d.next} →` }) : ""),
    el("h1", {}, `Shot ${d.id} `, el("span", { class: "muted", text: `${d.size} · ${d.move} · ${d.scene}` })),
    el("pre", { class: "lines", text: d.script.join("\n") }),
    el("div", { class: "actions" },
      el("button", { type: "button", id: "lock", onclick: () => act(d.locked ? "unlock" : "lock", {}), text: d.locked ? "Unlock" : "Lock" }),
      el("span", { class: "muted", text: `in the cut: ${d.reason}` })),
    el("div", { class: "takes", id: "takes" }, d.takes.length ? d.takes.map(takeView) : el("p", { class: "muted", text: "no takes yet" })),
  );
  for (const video of root.querySelectorAll("video")) video.currentTime = 0; // started together
}

async function loadShot() {
  shotData = (await api(`/api/shot/${shotId}`)).data;
  renderShot();
  const form = $("#ab");
  for (const [name, index] of [["a", 0], ["b", 1]]) {
    const select = form[name];
    const keep = select.value;
    select.replaceChildren(...shotData.takes.map((take) => el("option", { value: take.number, text: `#${take.number} ${take.short}` })));
    select.value = keep || String(shotData.takes[Math.min(index, shotData.takes.length - 1)]?.number || "");
  }
}

function playAB(reels) {
  const video = $("#ab-video");
  video.hidden = false;
  video.dataset.side = "a";
  video.dataset.reelA = reels.a;
  video.dataset.reelB = reels.b;
  video.src = `/media/${reels.a}`;
  video.onended = () => {
    if (video.dataset.side !== "a") return;
    video.dataset.side = "b";
    video.src = `/media/${reels.b}`;
    video.play();
    $("#ab-state").textContent = "B";
  };
  $("#ab-state").textContent = "A";
  video.play().catch(() => {});
}

async function act(action, body) {
  try {
    const { data } = await api(`/api/shot/${shotId}/${action}`, body);
    if (data.unrejected) status(`take ${data.picked} was rejected; picking it un-rejected it`);
    await loadShot();
  } catch (error) {
    status(error.message);
  }
}

function pick(number) {
  return act("pick", { take: String(number) });
}

function shot() {
  $("#new-takes").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const bar = $("#takes-progress");
    bar.hidden = false;
    bar.value = 0;
    $("#takes-state").textContent = "generating…";
    try {
      const { status: code, data: answer } = await api(`/api/shot/${shotId}/takes`, {
        count: Number(form.count.value || 1), prompt: form.prompt.value, seed: form.seed.value,
      });
      if (code === 409) { bar.hidden = true; $("#takes-state").textContent = answer.detail; }
    } catch (error) {
      $("#takes-state").textContent = error.message;
    }
  });
  onEvent((event) => {
    if (event.task === "takes" && event.type === "progress") {
      let done = 0, total = 0;
      for (const d of Object.values(event.departments)) { done += d.done; total += d.total; }
      $("#takes-progress").value = total ? done / total : 0;
    }
    if (event.task === "takes" && event.type === "job" && event.state === "running") {
      $("#takes-state").textContent = `${event.label}: ${Math.round(event.fraction * 100)}%`;
    }
    if (event.type === "done" && event.task.kind === "takes") {
      $("#takes-progress").value = 1;
      $("#takes-state").textContent = event.task.state === "done"
        ? `made ${(event.task.made || []).length} takes` : `${event.task.state}: ${event.task.error || ""}`;
      loadShot();
    }
    if (event.type === "files") loadShot();
    if (event.type === "done" && event.task.kind === "ab") {
      if (event.task.reels) playAB(event.task.reels);
      else $("#ab-state").textContent = `${event.task.state}: ${event.task.error || ""}`;
    }
  });
  $("#ab").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("#ab-state").textContent = "rendering the scene twice…";
    try {
      const { status: code, data: answer } = await api(`/api/shot/${shotId}/ab`, { a: event.target.a.value, b: event.target.b.value });
      if (code === 409) $("#ab-state").textContent = answer.detail;
    } catch (error) {
      $("#ab-state").textContent = error.message;
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea")) return;
    if (event.key === "ArrowLeft" && shotData && shotData.previous) location.href = `/shot/${shotData.previous}`;
    else if (event.key === "ArrowRight" && shotData && shotData.next) location.href = `/shot/${shotData.next}`;
    else if (/^[1-9]$/.test(event.key)) pick(Number(event.key));
    else if (event.key === "r" || event.key === "R") {
      const cut = shotData && shotData.takes.find((t) => t.in_cut);
      if (cut) act("reject", { take: String(cut.number) });
    } else if (event.key === "l" || event.key === "L") act(shotData && shotData.locked ? "unlock" : "lock", {});
    else if (event.key === " ") {
      event.preventDefault();
      for (const video of document.querySelectorAll("#takes video")) {
        video.currentTime = 0;
        video.play();
      }
    }
  });
  loadShot();
}

// --- player -----------------------------------------------------------------------------------

async function player() {
  const { data } = await api("/api/player");
  const video = $("#master");
  if (!data.master) {
    video.hidden = true;
    $("#no-master").hidden = false;
    return;
  }
  video.src = `/media/${data.master}`;
  if (data.subtitles) {
    video.append(el("track", { kind: "subtitles", src: `/subtitles/${data.subtitles}.vtt`, srclang: "en", label: "Subtitles", default: true }));
    video.addEventListener("loadedmetadata", () => {
      if (video.textTracks[0]) video.textTracks[0].mode = "showing";
    });
  }
  video.dataset.master = data.master;
  const strip = $("#strip");
  const items = data.timeline.map((item, index) => el(
    "button",
    { type: "button", class: "frame", "data-shot": item.id, "data-start": item.start, onclick: () => { video.currentTime = item.start + 0.01; video.play(); } },
    item.picture ? el("img", { src: `/thumb/${item.picture}`, loading: "lazy", alt: item.id, width: 96, height: 54 }) : el("span", { text: item.id }),
    el("span", { class: "label", text: item.id }),
  ));
  strip.replaceChildren(...items);
  let until = Infinity;
  video.addEventListener("timeupdate", () => {
    const t = video.currentTime;
    let current = null;
    for (const item of data.timeline) if (item.start <= t + 0.001) current = item.id;
    for (const node of strip.children) node.classList.toggle("playing", node.dataset.shot === current);
    document.body.dataset.playing = current || "";
    if (t >= until) { video.pause(); until = Infinity; }
  });
  const select = $("#scene-select");
  for (const scene of data.scenes) select.append(el("option", { value: scene.id, text: `${scene.id} ${scene.heading}` }));
  select.addEventListener("change", () => {
    const scene = data.scenes.find((s) => s.id === select.value);
    if (!scene) { until = Infinity; return; }
    const starts = data.timeline.filter((i) => scene.shots.includes(i.id)).map((i) => i.start);
    if (!starts.length) return;
    const first = Math.min(...starts);
    const after = data.timeline.map((i) => i.start).filter((s) => s > Math.max(...starts));
    until = after.length ? Math.min(...after) : Infinity;
    video.currentTime = first + 0.01;
    video.play();
  });
  onEvent((event) => { if (event.type === "done" && event.task.kind === "build") location.reload(); });
}

// --- script -----------------------------------------------------------------------------------

let scriptDigest = "";

function renderGutter(shots, error) {
  const text = $("#text").value.split("\n");
  const at = new Map(shots.map((s) => [s.line, s.id]));
  const items = text.map((_, index) => {
    const line = index + 1;
    const id = at.get(line);
    const bad = error && error.line === line;
    return el("li", { class: `${id ? "shot" : ""}${bad ? " bad" : ""}`, "data-line": line, text: id || "" });
  });
  $("#gutter").replaceChildren(...items);
}

function showState(data) {
  const box = $("#error");
  if (data.error) {
    box.hidden = false;
    box.textContent = `${data.error.line ? `line ${data.error.line}: ` : ""}${data.error.message}${data.error.hint ? ` → ${data.error.hint}` : ""}`;
  } else {
    box.hidden = true;
  }
  renderGutter(data.shots || [], data.error);
}

async function saveScript(force) {
  const text = $("#text").value;
  if (force) scriptDigest = force;
  const { status: code, data } = await api("/api/script", { text, digest: scriptDigest });
  if (code === 409) {
    $("#conflict").hidden = false;
    $("#disk").textContent = data.disk;
    $("#yours").textContent = data.yours;
    $("#keep-mine").onclick = async () => {
      const fresh = (await api("/api/script")).data;
      $("#conflict").hidden = true;
      await saveScript(fresh.digest);
    };
    $("#script-state").textContent = "not saved: the file changed on disk";
    return false;
  }
  scriptDigest = data.digest;
  $("#conflict").hidden = true;
  $("#script-state").textContent = "saved";
  showState(data);
  return !data.error;
}

async function script() {
  const { data } = await api("/api/script");
  $("#text").value = data.text;
  scriptDigest = data.digest;
  showState(data);
  $("#text").addEventListener("input", () => { $("#script-state").textContent = "edited"; });
  $("#save").addEventListener("click", () => saveScript());
  $("#build").addEventListener("click", async () => {
    if ($("#script-state").textContent === "edited" && !(await saveScript())) return;
    await api("/api/build", {});
    location.href = "/build";
  });
}

// --- build ------------------------------------------------------------------------------------

function renderTask(task) {
  if (!task) return;
  $("#build-state").textContent = `${task.kind}: ${task.state}`;
  const rows = Object.entries(task.departments).map(([name, d]) => el(
    "tr", { "data-department": name },
    el("td", { text: name }),
    el("td", {}, el("progress", { max: d.total || 1, value: d.done })),
    el("td", { text: `${d.done}/${d.total}` }),
  ));
  $("#departments tbody").replaceChildren(...rows);
  const failures = (task.failed || []).map((f) => el("li", {}, el("strong", { text: f.job }), `: ${f.error}`));
  if (task.error) failures.push(el("li", { text: task.error }));
  $("#failures").replaceChildren(...(failures.length ? failures : [el("li", { class: "muted", text: "none" })]));
  $("#messages").replaceChildren(...(task.messages || []).map((m) => el("li", { text: m })));
  $("#start").textContent = task.state === "failed" ? "Retry" : "Build the film";
}

async function build() {
  const { data } = await api("/api/build");
  renderTask(data.task);
  if (data.busy) status(`another cinecode (pid ${data.busy}) is building this project`);
  let live = data.task;
  $("#start").addEventListener("click", async () => {
    try {
      const { status: code, data: answer } = await api("/api/build", {});
      if (code === 409) { $("#build-state").textContent = answer.detail; return; }
      live = answer.task;  // its progress events are this build's from now on
      renderTask(live);
    } catch (error) {
      $("#build-state").textContent = error.message;
    }
  });
  $("#cancel").addEventListener("click", () => api("/api/cancel", {}));
  onEvent((event) => {
    if (event.type === "progress" && live) { live.departments = event.departments; renderTask(live); }
    if (event.type === "message" && live) { live.messages.push(event.text); renderTask(live); }
    if (event.type === "job" && event.state === "failed" && live) { live.failed.push({ job: event.label, error: event.error }); renderTask(live); }
    if (event.type === "done") { live = event.task; renderTask(live); }
  });
  setInterval(async () => { live = (await api("/api/build")).data.task || live; renderTask(live); }, 2000);
}

// --- ledger and sound -------------------------------------------------------------------------

function bars(title, rows, currency) {
  const max = Math.max(1e-9, ...Object.values(rows).map((v) => Math.max(v.money, v.estimated)));
  return el("section", { class: "chart" }, el("h2", { text: title }),
    el("table", {}, el("thead", {}, el("tr", {}, ["", "spent", "estimated", "GPU-s", "generated", "used", ""].map((h) => el("th", { text: h })))),
      el("tbody", {}, Object.entries(rows).map(([name, v]) => el("tr", {},
        el("td", { text: name }), el("td", { text: `${v.money.toFixed(2)} ${currency}` }),
        el("td", { text: v.estimated.toFixed(2) }), el("td", { text: v.gpu_seconds.toFixed(0) }),
        el("td", { text: v.generated }), el("td", { text: v.used }),
        el("td", { class: "barcell" }, el("span", { class: "bar", style: `width:${(100 * v.money / max).toFixed(1)}%` })))))));
}

async function ledger() {
  const { data } = await api("/api/ledger");
  const t = data.total;
  $("#ledger").replaceChildren(
    el("h1", { text: `${data.title}: ledger` }),
    el("p", { class: "total", text: `spent ${t.money.toFixed(2)} ${data.currency} (estimated ${t.estimated.toFixed(2)}), ${t.gpu_seconds.toFixed(0)} GPU-s; takes ${data.takes.generated} generated, ${data.takes.used} in the cut; to finish about ${data.to_finish.money.toFixed(2)} ${data.currency}` }),
    bars("By department", data.departments, data.currency),
    bars("By backend", data.backends, data.currency),
    data.rejected.count ? el("p", { text: `${data.rejected.money.toFixed(2)} ${data.currency} for ${data.rejected.count} rejected attempts` }) : "",
  );
}

async function sound() {
  const { data } = await api("/api/sound");
  const total = data.scenes.reduce((sum, row) => sum + (row.duration || 0), 0) || 1;
  $("#sound").replaceChildren(
    el("h1", { text: `${data.title}: sound` }),
    el("p", { class: "muted", text: `mixed to ${data.loudness.target} LUFS, true peak ≤ ${data.loudness.true_peak} dBTP` }),
    el("div", { class: "timeline" }, data.scenes.map((row) => el("span", { class: "segment", title: row.heading, style: `width:${(100 * (row.duration || 0) / total).toFixed(2)}%`, text: row.scene }))),
    el("table", {}, el("thead", {}, el("tr", {}, ["scene", "start", "length", "score", "ambience", "effects"].map((h) => el("th", { text: h })))),
      el("tbody", {}, data.scenes.map((row) => el("tr", { "data-scene": row.scene },
        el("td", { text: `${row.scene} ${row.heading}` }),
        el("td", { text: row.start === null ? "—" : fmt(row.start) }),
        el("td", { text: row.duration === null ? "not built" : `${row.duration.toFixed(1)} s` }),
        el("td", { text: row.score ? `${row.score.mood}${row.score.key ? `, ${row.score.key}` : ""}` : "none" }),
        el("td", { text: row.ambience ? row.ambience.description : "" }),
        el("td", { text: row.effects.map((e) => `${e.at === null ? "" : `+${e.at.toFixed(1)} s `}${e.description}`).join("; ") }))))),
  );
}

// --- cast -------------------------------------------------------------------------------------

let castData = null;
let castCurrent = ""; // "kind name" of the name the keys act on
const castSaid = new Map(); // "kind name" → what its last pick or reject did

function castId(person) { return `${person.kind} ${person.name}`; }

function castPeople() {
  return castData ? [...castData.characters, ...castData.locations] : [];
}

function sheetView(person, sheet) {
  const marks = [];
  if (sheet.picked) marks.push(el("span", { class: "badge built", text: "picked" }));
  if (sheet.rejected) marks.push(el("span", { class: "badge failed", text: "rejected" }));
  const take = String(sheet.number);
  return el(
    "figure",
    { class: `sheet${sheet.picked ? " picked" : ""}${sheet.rejected ? " rejected" : ""}`, "data-sheet": sheet.number, "data-id": sheet.id },
    el("img", { src: `/media/${sheet.key}`, alt: `${person.name} sheet ${sheet.number}`, loading: "lazy" }),
    el("figcaption", {},
      el("strong", { text: `#${sheet.number} ` }), el("code", { text: sheet.id }),
      ` seed ${sheet.seed} · ${sheet.backend} ${sheet.model || ""} · ${Number(sheet.cost).toFixed(2)}`,
      el("div", { class: "badges" }, marks),
      el("div", { class: "buttons" },
        el("button", { type: "button", class: "pick", onclick: () => castAct("pick", person, take), text: "Pick" }),
        sheet.rejected
          ? el("button", { type: "button", class: "unreject", onclick: () => castAct("unreject", person, take), text: "Un-reject" })
          : el("button", { type: "button", class: "reject", onclick: () => castAct("reject", person, take), text: "Reject" }))),
  );
}

function personView(person) {
  const id = castId(person);
  const said = castSaid.get(id);
  const picked = person.sheets.find((s) => s.picked);
  const count = el("input", { name: "count", type: "number", min: 1, max: 16, value: 2 });
  return el(
    "article",
    { class: `person${id === castCurrent ? " current" : ""}`, "data-name": person.name, "data-kind": person.kind, onclick: () => { castCurrent = id; markCurrent(); } },
    el("h2", {}, `${person.name} `, el("span", { class: "muted", text: person.kind })),
    person.description ? el("p", { class: "muted", text: person.description }) : null,
    el("p", { class: "state", text: picked ? `picked: sheet #${picked.number} (${picked.id})` : (person.pick ? `picked: ${person.pick} (not in the store)` : "no sheet picked") }),
    person.overridden
      ? el("p", { class: "override", text: `film.toml names its own references for ${person.name} (${person.references.join(", ")}): those are used, not the picked sheet, until you remove them.` })
      : null,
    el("p", { class: "shots muted", text: `in ${person.shots.length} shot${person.shots.length === 1 ? "" : "s"}${person.stale.length ? ` · ${person.stale.length} stale: ${person.stale.join(", ")}` : ""}` }),
    said ? el("p", { class: "restaled", text: said }) : null,
    el("form", { class: "more", onsubmit: (event) => { event.preventDefault(); castTakes(person, Number(count.value || 1)); } },
      el("label", {}, "More sheets ", count), el("button", { type: "submit", class: "make", text: "Make" })),
    el("div", { class: "sheets" }, person.sheets.length
      ? person.sheets.map((sheet) => sheetView(person, sheet))
      : el("p", { class: "muted", text: "no sheets yet" })),
  );
}

function markCurrent() {
  for (const node of document.querySelectorAll(".person")) {
    node.classList.toggle("current", `${node.dataset.kind} ${node.dataset.name}` === castCurrent);
  }
}

function renderCast() {
  const people = castPeople();
  if (!castCurrent && people.length) castCurrent = castId(people[0]);
  const group = (title, list) => list.length ? [el("h2", { text: title }), ...list.map(personView)] : [];
  $("#cast").replaceChildren(...group("Characters", castData.characters), ...group("Locations", castData.locations));
}

async function loadCast() {
  castData = (await api("/api/cast")).data;
  renderCast();
}

function stateOf(text) { $("#cast-state").textContent = text; }

async function castAct(action, person, take) {
  castCurrent = castId(person);
  try {
    const { data } = await api(`/api/cast/${action}`, { kind: person.kind, name: person.name, take });
    if (action === "pick") {
      const shots = data.stale.length
        ? `${data.stale.length} shot${data.stale.length === 1 ? "" : "s"} stale: ${data.stale.join(", ")}` : "no shot made stale";
      const said = `sheet ${data.picked} picked (cast.toml): ${shots}` +
        (data.overridden ? ` — but film.toml names its own references for ${data.name}: those stay in use` : "");
      castSaid.set(castCurrent, said);
      stateOf(`${data.name}: ${said}`);
    } else {
      castSaid.set(castCurrent, `sheet ${data[action + "ed"]} ${action}ed`);
      stateOf(`${person.name}: sheet ${data[action + "ed"]} ${action}ed`);
    }
    await loadCast();
  } catch (error) {
    stateOf(error.message);
  }
}

async function castTakes(person, count) {
  castCurrent = castId(person);
  const bar = $("#cast-progress");
  bar.hidden = false;
  bar.value = 0;
  $("#cast-cancel").hidden = false;
  stateOf(`${person.name}: making ${count} sheets…`);
  try {
    const { status: code, data } = await api("/api/cast/takes", { kind: person.kind, name: person.name, count });
    if (code === 409) { bar.hidden = true; $("#cast-cancel").hidden = true; stateOf(data.detail); }
  } catch (error) {
    bar.hidden = true;
    $("#cast-cancel").hidden = true;
    stateOf(error.message);
  }
}

function cast() {
  $("#cast-cancel").addEventListener("click", () => api("/api/cancel", {}));
  onEvent((event) => {
    if (event.task === "cast" && event.type === "progress") {
      let done = 0, total = 0;
      for (const d of Object.values(event.departments)) { done += d.done; total += d.total; }
      $("#cast-progress").value = total ? done / total : 0;
    }
    if (event.task === "cast" && event.type === "job" && event.state === "running") {
      stateOf(`${event.label}: ${Math.round(event.fraction * 100)}%`);
    }
    if (event.type === "done" && event.task.kind === "cast") {
      $("#cast-progress").value = 1;
      $("#cast-cancel").hidden = true;
      stateOf(event.task.state === "done"
        ? `${event.task.name}: made ${(event.task.made || []).length} sheets`
        : `${event.task.state}: ${event.task.error || ""}`);
      loadCast();
    }
    if (event.type === "files" && event.changed.some((name) => ["cast", "board", "store"].includes(name))) loadCast();
  });
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea") || !castData) return;
    const people = castPeople();
    const at = people.findIndex((p) => castId(p) === castCurrent);
    const person = people[at];
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = people[Math.max(0, Math.min(people.length - 1, at + (event.key === "ArrowDown" ? 1 : -1)))];
      if (next) { castCurrent = castId(next); markCurrent(); document.querySelector(".person.current")?.scrollIntoView({ block: "nearest" }); }
    } else if (!person) {
      return;
    } else if (/^[1-9]$/.test(event.key)) {
      if (person.sheets.some((s) => s.number === Number(event.key))) castAct("pick", person, event.key);
    } else if (event.key === "r" || event.key === "R") {
      const picked = person.sheets.find((s) => s.picked);
      if (picked) castAct("reject", person, String(picked.number));
    } else if (event.key === "t" || event.key === "T") {
      castTakes(person, 2);
    }
  });
  loadCast();
}

const PAGES = { board, shot, player, script, build, ledger, sound, cast };
listen();
(PAGES[page] || (() => {}))();
