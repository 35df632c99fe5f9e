/* The player of a branching film (cinecode publish). Plain JS, no build step.
 *
 * One <video>, one MediaSource in "sequence" mode: each scene's fragmented MP4 is appended
 * after the one before, so a switch is the same stream going on (no black frame, no new
 * decoder). Every scene that may come next is fetched while the current one plays; the chosen
 * one (or the default, when the countdown runs out LEAD seconds before the scene ends) is
 * appended at once. "Back to the last choice" and "play again" open a fresh MediaSource.
 * Without MSE (or with ?engine=swap) two stacked <video>s take turns instead (not gapless by
 * construction; measured the same way).
 *
 * The page exposes window.story = {scene, variables, history, ending}, updated by the media
 * timeline (what is on screen, not what was appended), and window.storyMetrics: every
 * presented frame (requestVideoFrameCallback), each switch's frame gap, every `waiting` event.
 */
"use strict";
(() => {
  const LEAD = 1.0; // s: the next scene is appended at least this long before a scene ends
  const TICK_MS = 40;
  const FRAME_LOG = 5000; // the frames kept in storyMetrics.frames
  const KEEP_SCENES = 8; // scenes' bytes kept in memory (the next ones and the last few)
  const START_EARLY = 0.05; // s: the swap engine starts the next <video> this long before the end

  const root = document.querySelector("main.story");
  const video = root.querySelector("video.picture");
  const $ = (selector) => root.querySelector(selector);
  const startBox = $(".start");
  const choiceBox = $(".choice");
  const endingBox = $(".ending");
  const problemBox = $(".problem");

  const story = (window.story = { scene: null, variables: {}, history: [], ending: null });
  const metrics = (window.storyMetrics = {
    engine: null, // "MediaSource" or "ManagedMediaSource"
    ready: false,
    problem: null, // why the film cannot play here
    epoch: 0, // one per MediaSource (the start, play again, back)
    frames: [], // {epoch, mediaTime, wall, presented}
    switches: [], // {epoch, from, to, at, gapMs, mediaGapMs}
    waiting: [], // {epoch, time, scene, started, ahead}: ahead = seconds buffered past `time`
  });

  // 1. conditions and sets (no eval: `name OP number`, joined by `and` / `or`)

  const OPS = {
    "==": (a, b) => a === b,
    "!=": (a, b) => a !== b,
    "<": (a, b) => a < b,
    "<=": (a, b) => a <= b,
    ">": (a, b) => a > b,
    ">=": (a, b) => a >= b,
  };
  const TERM = /^\s*([A-Za-z_]\w*)\s*(==|!=|<=|>=|<|>)\s*(-?\d+)\s*$/;

  function holds(condition, values) {
    return condition.split(/\s+or\s+/i).some((group) =>
      group.split(/\s+and\s+/i).every((term) => {
        const match = TERM.exec(term);
        if (!match) throw new Error(`cannot read the condition "${condition}"`);
        return OPS[match[2]](values[match[1]] ?? 0, Number(match[3]));
      }),
    );
  }

  function apply(sets, values) {
    const out = { ...values };
    for (const [name, op, value] of sets || []) {
      const old = out[name] ?? 0;
      out[name] = op === "=" ? value : op.startsWith("+") ? old + value : old - value;
    }
    return out;
  }

  // 2. the story graph

  let site = null;
  const scenes = new Map();
  const fetched = new Map(); // scene id → Promise<ArrayBuffer>

  function fetchScene(id) {
    let load = fetched.get(id);
    if (load) fetched.delete(id); // used again: the most recent
    else {
      load = fetch(site.media[id].url).then((response) => {
        if (!response.ok) throw new Error(`scene ${id}: HTTP ${response.status}`);
        return response.arrayBuffer();
      });
      load.catch(() => fetched.delete(id)); // a later need tries again
    }
    fetched.set(id, load);
    for (const old of fetched.keys()) {
      if (fetched.size <= KEEP_SCENES) break;
      fetched.delete(old); // the least recently used: fetched again if "back" needs it
    }
    return load;
  }

  /** Where play goes for `id` with these values: a gated scene whose condition fails is skipped. */
  function resolve(id, values) {
    const seen = new Set();
    while (id != null && !seen.has(id)) {
      seen.add(id);
      const scene = scenes.get(id);
      if (!scene.when || holds(scene.when, values)) return id;
      id = scene.next;
    }
    return null;
  }

  /** The scenes that may follow an entry (null: the story ends there). */
  function successors(entry) {
    const scene = scenes.get(entry.id);
    if (scene.choice) return scene.choice.options.map((o) => resolve(o.target, entry.after));
    if (scene.ending != null) return [];
    return [resolve(scene.next, entry.after)];
  }

  // 3. the engines: how scenes reach the screen, one after another

  function once(target, event) {
    return new Promise((resolve) => target.addEventListener(event, resolve, { once: true }));
  }

  /** Media Source Extensions: one <video>, one MediaSource per run, scenes appended in
   * "sequence" mode, so a switch is the same stream going on. */
  const streamEngine = {
    name: window.MediaSource ? "MediaSource" : "ManagedMediaSource",
    async open(current) {
      const Source = window.MediaSource || window.ManagedMediaSource;
      current.source = new Source();
      video.disableRemotePlayback = true; // ManagedMediaSource needs it
      video.src = URL.createObjectURL(current.source);
      await once(current.source, "sourceopen");
      URL.revokeObjectURL(video.src);
      current.buffer = current.source.addSourceBuffer(site.mime);
      current.buffer.mode = "sequence";
    },
    async add(current, entry, data) {
      await new Promise((resolve, reject) => {
        const buffer = current.buffer;
        buffer.addEventListener("updateend", resolve, { once: true });
        buffer.addEventListener("error", () => reject(new Error("the browser refused a scene")), {
          once: true,
        });
        buffer.appendBuffer(data);
      });
      const buffered = current.buffer.buffered;
      return buffered.length ? buffered.end(buffered.length - 1) : entry.start;
    },
    finish(current) {
      const end = () => current.source.readyState === "open" && current.source.endOfStream();
      if (current.buffer && current.buffer.updating) once(current.buffer, "updateend").then(end);
      else end();
    },
    time: () => video.currentTime,
    active: () => video,
    timeline: (current, mediaTime) => mediaTime,
    tick() {},
    frame() {},
    ended(current) {
      if (current.done) showEnding();
    },
  };

  /** Without MSE: two stacked <video>s. Each scene is loaded whole (from the fetched bytes)
   * into the one behind, which starts and comes to the front when the other ends. Not
   * gapless by construction: storyMetrics measures it like the stream. */
  const swapEngine = {
    name: "swap",
    async open(current) {
      for (const element of [video, spare]) {
        element.classList.remove("front");
        element.pause();
        element.removeAttribute("src");
        element.load();
      }
      current.playing = 0;
    },
    async add(current, entry, data) {
      const element = current.entries.indexOf(entry) % 2 ? spare : video;
      if (element.src) URL.revokeObjectURL(element.src);
      element.src = URL.createObjectURL(new Blob([data], { type: "video/mp4" }));
      await once(element, "loadeddata");
      entry.element = element;
      if (current.entries[0] === entry) element.classList.add("front");
      return entry.start + element.duration;
    },
    finish() {},
    time(current) {
      const entry = current.entries[current.playing];
      return entry && entry.element ? entry.start + entry.element.currentTime : 0;
    },
    active(current) {
      const entry = current.entries[current.playing];
      return (entry && entry.element) || video;
    },
    timeline(current, mediaTime) {
      const entry = current.entries[current.playing];
      return entry.start + mediaTime;
    },
    tick(current) {
      const element = this.active(current);
      if (element.ended) this.ended(current, element); // the next scene came late
    },
    frame(current, element, meta) {
      // start the next scene a frame early: play() takes about that long to show a picture
      if (meta.mediaTime >= element.duration - START_EARLY) this.ended(current, element);
    },
    ended(current, element) {
      const entry = current.entries[current.playing];
      if (!entry || entry.element !== element) return;
      const next = current.entries[current.playing + 1];
      if (!next) return current.done && showEnding();
      if (next.end == null || current.swapping) return; // not loaded yet: tick tries again
      current.swapping = true;
      current.playing += 1;
      next.element.play().then(() => {
        next.element.classList.add("front");
        element.classList.remove("front");
        current.swapping = false;
      }, fail);
    },
  };

  let engine = streamEngine;
  let spare = null; // the swap engine's second <video>

  // 4. a run: from a scene with its values to an ending; scenes added as they are decided

  let run = null; // {epoch, entries, queue, shown, history, done, started, …the engine's}

  function begin(id, values, history) {
    const current = (run = {
      epoch: ++metrics.epoch,
      entries: [], // {id, before, after, start, end, picked}
      queue: Promise.resolve(),
      shown: -1,
      history: history.slice(),
      done: false,
      started: false,
    });
    closeChoice();
    endingBox.hidden = true;
    startBox.hidden = true;
    story.ending = null;
    current.queue = engine.open(current).then(() => {
      if (current !== run) return;
      const first = resolve(id, values);
      if (first == null) return finish(current);
      append(current, first, values).then(() => {
        if (current === run) engine.active(current).play().catch(() => (startBox.hidden = false));
      });
    }, fail);
  }

  function append(current, id, before) {
    const entry = {
      id,
      before,
      after: apply(scenes.get(id).sets, before),
      start: null,
      end: null,
      picked: null,
    };
    const previous = current.entries[current.entries.length - 1];
    current.entries.push(entry);
    const job = current.queue.then(async () => {
      const data = await fetchScene(id);
      if (current !== run) return;
      entry.start = previous ? previous.end : 0;
      if (previous) {
        metrics.switches.push({
          epoch: current.epoch,
          from: previous.id,
          to: id,
          at: entry.start,
          gapMs: null,
          mediaGapMs: null,
        });
      }
      entry.end = await engine.add(current, entry, data);
      const next = successors(entry);
      for (const scene of next) if (scene != null) fetchScene(scene).catch(() => {});
      if (next.every((scene) => scene == null)) finish(current);
    });
    current.queue = job.catch(fail);
    return job;
  }

  /** No more scenes in this run: the stream ends, and its end shows the ending screen. */
  function finish(current) {
    if (current.done || current !== run) return;
    current.done = true;
    engine.finish(current);
  }

  // 5. the clock: what is on screen, the countdown, what to append next

  function tick() {
    const current = run;
    if (!current || !current.entries.length || current.entries[0].start == null) return;
    engine.tick(current);
    const time = engine.time(current);
    let k = Math.max(current.shown, 0);
    while (k + 1 < current.entries.length) {
      const following = current.entries[k + 1];
      if (following.start == null || time < following.start - 0.001) break;
      k += 1;
    }
    if (k !== current.shown) show(current, k);
    const entry = current.entries[k];
    if (entry !== current.entries[current.entries.length - 1] || entry.end == null) return;
    const scene = scenes.get(entry.id);
    if (scene.choice) countdown(current, entry, scene.choice, time);
    else if (scene.ending == null && !current.done) {
      const [next] = successors(entry);
      if (next != null) append(current, next, entry.after);
    }
  }

  function show(current, k) {
    current.shown = k;
    const entry = current.entries[k];
    story.scene = entry.id;
    story.variables = { ...entry.after };
    story.history = [...current.history, ...current.entries.slice(0, k + 1).map((e) => e.id)];
    closeChoice();
    backButtons();
    root.dispatchEvent(new CustomEvent("storyscene", { detail: { ...story } }));
  }

  function countdown(current, entry, choice, time) {
    if (entry.picked != null) return;
    const deadline = Math.max(entry.start + 0.2, entry.end - LEAD);
    const seconds = Math.max(0.2, Math.min(choice.seconds, deadline - entry.start));
    const left = deadline - time;
    if (left > seconds) return;
    if (choiceBox.dataset.entry !== `${current.epoch}:${current.shown}`) openChoice(current, entry);
    choiceBox.querySelector(".bar").style.transform = `scaleX(${Math.max(0, left / seconds)})`;
    choiceBox.querySelector(".seconds").textContent = `${Math.max(0, Math.ceil(left))}`;
    if (left <= 0) pick(entry, choice.default);
  }

  function openChoice(current, entry) {
    const choice = scenes.get(entry.id).choice;
    const options = choiceBox.querySelector(".options");
    options.replaceChildren(
      ...choice.options.map((option, i) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = i === choice.default ? "option default" : "option";
        button.dataset.index = `${i}`;
        const key = document.createElement("kbd");
        key.textContent = `${i + 1}`;
        button.append(key, ` ${option.text}`);
        button.addEventListener("click", () => pick(entry, i));
        return button;
      }),
    );
    choiceBox.dataset.entry = `${current.epoch}:${current.shown}`;
    choiceBox.classList.remove("picked");
    choiceBox.hidden = false;
  }

  function closeChoice() {
    choiceBox.hidden = true;
    delete choiceBox.dataset.entry;
  }

  function pick(entry, index) {
    const current = run;
    if (entry.picked != null || current.entries[current.entries.length - 1] !== entry) return;
    const choice = scenes.get(entry.id).choice;
    if (index < 0 || index >= choice.options.length) return;
    entry.picked = index;
    for (const button of choiceBox.querySelectorAll(".option")) {
      button.classList.toggle("chosen", button.dataset.index === `${index}`);
      button.disabled = true;
    }
    choiceBox.classList.add("picked");
    const target = resolve(choice.options[index].target, entry.after);
    if (target == null) finish(current);
    else append(current, target, entry.after);
    backButtons();
  }

  // 6. back, the ending, play again

  /** The entry to go back to: the last choice made (else the last choice shown). */
  function lastChoice(current) {
    const upto = endingBox.hidden ? current.shown : current.entries.length - 1;
    const choices = current.entries.slice(0, upto + 1).map((e, i) => [e, i]);
    const made = choices.filter(([e]) => scenes.get(e.id).choice && e.picked != null);
    const any = choices.filter(([e]) => scenes.get(e.id).choice);
    return (made.length ? made : any).pop() || null;
  }

  function back() {
    const current = run;
    if (!current) return;
    const found = lastChoice(current);
    if (!found) return;
    const [entry, i] = found;
    const before = current.entries.slice(0, i).map((e) => e.id);
    begin(entry.id, entry.before, [...current.history, ...before]);
  }

  function playAgain() {
    begin(site.story.start, { ...site.story.variables }, []);
  }

  function backButtons() {
    const able = run != null && lastChoice(run) != null;
    for (const button of root.querySelectorAll("button.back")) button.disabled = !able;
  }

  function showEnding() {
    const current = run;
    if (!current || !current.done || !endingBox.hidden) return;
    const last = current.entries[current.entries.length - 1];
    const title = (last && scenes.get(last.id).ending) || "The end";
    story.ending = title;
    closeChoice();
    const found = last && scenes.get(last.id).ending ? remember(title) : [];
    endingBox.querySelector(".ending-title").textContent = title;
    endingBox.querySelector(".found").textContent =
      `Endings found: ${found.length} of ${endingTitles().length}`;
    endingBox.hidden = false;
    backButtons();
    endingBox.querySelector("button.again").focus();
  }

  function endingTitles() {
    return [...new Set(site.story.scenes.filter((s) => s.ending != null).map((s) => s.ending))];
  }

  function remember(title) {
    const key = `cinecode.story.endings:${site.title}`;
    let found = [];
    try {
      found = JSON.parse(localStorage.getItem(key) || "[]");
      if (!found.includes(title)) found.push(title);
      localStorage.setItem(key, JSON.stringify(found));
    } catch {
      found = [title]; // no storage (private mode, file://): this visit only
    }
    return found;
  }

  // 7. measuring: every presented frame, each switch's gap, every `waiting`

  let lastFrame = null;

  function watchFrames(element) {
    if (!("requestVideoFrameCallback" in element)) return;
    const onFrame = (now, meta) => {
      element.requestVideoFrameCallback(onFrame);
      if (!run || engine.active(run) !== element) return;
      record(meta);
      engine.frame(run, element, meta);
    };
    element.requestVideoFrameCallback(onFrame);
  }

  function record(meta) {
    const frame = {
      epoch: metrics.epoch,
      mediaTime: engine.timeline(run, meta.mediaTime),
      wall: meta.expectedDisplayTime,
      presented: meta.presentedFrames,
    };
    const previous = lastFrame;
    lastFrame = frame;
    metrics.frames.push(frame);
    if (metrics.frames.length > FRAME_LOG) metrics.frames.splice(0, metrics.frames.length - FRAME_LOG);
    if (!previous || previous.epoch !== frame.epoch) return;
    for (const change of metrics.switches) {
      if (change.epoch !== frame.epoch || change.gapMs != null) continue;
      if (previous.mediaTime < change.at - 0.03 && frame.mediaTime >= change.at - 0.03) {
        change.gapMs = frame.wall - previous.wall;
        change.mediaGapMs = (frame.mediaTime - previous.mediaTime) * 1000;
      }
    }
  }

  /** Seconds of media buffered past the element's current time: near zero when a `waiting`
   * is a stream run out of data; more when the decoder fell behind (a CPU-starved renderer). */
  function bufferedAhead(element) {
    const ranges = element.buffered;
    const time = element.currentTime;
    for (let i = 0; i < ranges.length; i++) {
      if (ranges.start(i) <= time + 0.001 && time < ranges.end(i)) return ranges.end(i) - time;
    }
    return 0;
  }

  // 8. the page: keys, buttons, errors

  function fail(error) {
    metrics.problem = `${error.message || error}`;
    problemBox.textContent = `The film cannot play here: ${metrics.problem}`;
    problemBox.hidden = false;
  }

  function onKey(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const open = !choiceBox.hidden && !choiceBox.classList.contains("picked") && run;
    const entry = open ? run.entries[run.shown] : null;
    if (/^[1-9]$/.test(event.key) && entry) {
      pick(entry, Number(event.key) - 1);
    } else if (event.key === "Enter" && entry) {
      pick(entry, scenes.get(entry.id).choice.default);
    } else if (event.key === "b" || event.key === "B") {
      back();
    } else if (event.key === " " && run && endingBox.hidden && startBox.hidden) {
      togglePause();
    } else if (event.key === "f" || event.key === "F") {
      if (document.fullscreenElement) document.exitFullscreen();
      else root.requestFullscreen?.().catch(() => {});
    } else if (event.key === "Enter" && !startBox.hidden) {
      start();
    } else return;
    event.preventDefault();
  }

  function togglePause() {
    const element = engine.active(run);
    if (element.paused) element.play().catch(fail);
    else element.pause();
  }

  function start() {
    const element = run && engine.active(run);
    if (element && element.paused && run.entries.length && run.entries[0].end != null) {
      startBox.hidden = true; // autoplay was refused: this click is the gesture
      element.play().catch(fail);
    } else playAgain();
  }

  /** The stream when this browser has MSE and plays the film's codecs; else two <video>s
   * (or when the page's address asks for `?engine=swap`). */
  function chooseEngine() {
    const Source = window.MediaSource || window.ManagedMediaSource;
    const wanted = new URLSearchParams(location.search).get("engine");
    if (wanted !== "swap" && Source && Source.isTypeSupported(site.mime)) return streamEngine;
    if (!video.canPlayType(site.mime)) throw new Error(`this browser cannot play ${site.mime}`);
    spare = video.cloneNode();
    spare.classList.remove("front");
    video.after(spare);
    return swapEngine;
  }

  // The scenes' content credentials (C2PA), as publish read them back into story.json; a site
  // published with `[provenance] sign = false` has none, and the panel stays hidden.
  function showCredentials() {
    const said = site.credentials;
    if (!said) return;
    const panel = $(".credentials");
    const text = (selector, value) => (panel.querySelector(selector).textContent = value);
    const scenes = Object.values(site.media);
    const valid = scenes.filter((m) => m.credentials && ["valid", "trusted"].includes(m.credentials.state));
    text(".credentials-short", `(C2PA): ${said.state}, ${said.trusted ? "trusted" : "not trusted"}`);
    text(".credentials-signer", said.signer);
    text(
      ".credentials-trust",
      said.trusted
        ? "on a trust list"
        : "on no trust list (a development or private certificate): the bytes are as signed, the signer is not vouched for",
    );
    text(".credentials-scenes", `${valid.length} of ${scenes.length} scenes signed and valid`);
    text(".credentials-disclosure", said.disclosure);
    text(".credentials-how", said.how);
    panel.hidden = false;
  }

  async function load() {
    const response = await fetch(root.dataset.story);
    if (!response.ok) throw new Error(`story.json: HTTP ${response.status}`);
    site = await response.json();
    for (const scene of site.story.scenes) scenes.set(scene.id, scene);
    engine = chooseEngine();
    metrics.engine = engine.name;
    endingBox.querySelector(".credits").replaceChildren(
      ...site.credits.map((line) => Object.assign(document.createElement("li"), { textContent: line })),
    );
    for (const line of root.querySelectorAll(".disclosure")) line.textContent = site.disclosure;
    showCredentials();
    fetchScene(resolve(site.story.start, site.story.variables) ?? site.story.start).catch(() => {});
    root.querySelector(".start button.play").addEventListener("click", start);
    endingBox.querySelector("button.again").addEventListener("click", playAgain);
    for (const button of root.querySelectorAll("button.back")) button.addEventListener("click", back);
    document.addEventListener("keydown", onKey);
    for (const element of root.querySelectorAll("video.picture")) {
      element.addEventListener("click", () => run && endingBox.hidden && togglePause()); // a tap
      element.addEventListener("ended", () => run && engine.ended(run, element));
      element.addEventListener("playing", () => run && (run.started = true));
      element.addEventListener("waiting", () => {
        if (!run || engine.active(run) !== element) return;
        metrics.waiting.push({
          epoch: metrics.epoch,
          time: engine.time(run),
          scene: story.scene,
          started: run.started,
          ahead: bufferedAhead(element),
        });
      });
      watchFrames(element);
    }
    setInterval(tick, TICK_MS);
    backButtons();
    metrics.ready = true;
  }

  load().catch(fail);
})();
