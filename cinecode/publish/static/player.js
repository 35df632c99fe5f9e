// The cinecode player: releases.json → a version picker, HLS (hls.js, or the browser's own
// HLS where there is no Media Source), what changed, chapters, subtitles, credits, and the
// version's content credentials (C2PA).
//
// Playback goes through a *mode*: `linear` plays a version's master.m3u8. A branching film
// (releases.json `story`) will add a `graph` mode that plays each scene's own playlist
// (versions[].scenes[].playlist) and picks the next scene from the story graph; a mode has
// load(entry, at), time() (story position, seconds) and sceneAt(); nothing else changes.
(function () {
  "use strict";

  var video = document.getElementById("video");
  var picker = document.getElementById("version");
  var status = document.getElementById("status");
  var subtitlesButton = document.getElementById("subtitles");
  var state = {
    feed: null,
    entry: null,
    hls: null,
    error: null,
    subtitles: true,
    mode: null,
    credentials: null,
  };

  function fetchJSON(url) {
    return fetch(url, { cache: "no-cache" }).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }

  function say(text) {
    status.textContent = text;
  }

  // --- sources -------------------------------------------------------------------------------

  function useHlsJs() {
    return typeof Hls !== "undefined" && Hls.isSupported();
  }

  function attach(url, at) {
    state.error = null;
    if (state.hls) {
      state.hls.destroy();
      state.hls = null;
    }
    if (useHlsJs()) {
      var hls = new Hls({ startPosition: at || 0, maxBufferLength: 20 });
      hls.on(Hls.Events.ERROR, function (_event, data) {
        if (data.fatal) {
          state.error = data.type + ": " + data.details;
          say("Playback error: " + data.details);
        }
      });
      hls.loadSource(url);
      hls.attachMedia(video);
      state.hls = hls;
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = url;
      video.addEventListener(
        "loadedmetadata",
        function () {
          if (at) video.currentTime = at;
        },
        { once: true },
      );
    } else {
      state.error = "no HLS";
      say("This browser cannot play HLS.");
    }
  }

  var modes = {
    linear: {
      load: function (entry, at) {
        attach(entry.master, at);
      },
      time: function () {
        return video.currentTime || 0;
      },
      sceneAt: function (entry, t) {
        return findAt(entry.scenes, t);
      },
    },
  };

  // --- the film's map ------------------------------------------------------------------------

  function findAt(items, t) {
    var found = null;
    for (var i = 0; i < items.length; i++) {
      if (items[i].start <= t + 1e-6) found = items[i];
    }
    return found;
  }

  function entryOf(version) {
    var versions = state.feed.versions;
    for (var i = 0; i < versions.length; i++) {
      if (versions[i].version === version) return versions[i];
    }
    return null;
  }

  // The same story position in another version: the same shot (same offset into it), else
  // the same scene's start, else the film's start.
  function carry(from, to, t) {
    if (!from) return 0;
    var shot = findAt(from.shots, t);
    if (shot) {
      for (var i = 0; i < to.shots.length; i++) {
        if (to.shots[i].id === shot.id) {
          var into = Math.min(t - shot.start, Math.max(0, to.shots[i].duration - 0.05));
          return to.shots[i].start + Math.max(0, into);
        }
      }
      for (var j = 0; j < to.scenes.length; j++) {
        if (to.scenes[j].id === shot.scene) return to.scenes[j].start;
      }
    }
    return 0;
  }

  // --- the page ------------------------------------------------------------------------------

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function stamp(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var m = Math.floor(s / 60);
    return m + ":" + String(s % 60).padStart(2, "0");
  }

  function seek(t) {
    video.currentTime = t;
    var played = video.play();
    if (played && played.catch) played.catch(function () {});
  }

  function seekButton(label, t, attrs) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "seek";
    button.textContent = label;
    button.dataset.start = String(t);
    for (var k in attrs) button.dataset[k] = attrs[k];
    button.addEventListener("click", function () {
      seek(t);
    });
    return button;
  }

  function showChanges(entry) {
    var list = document.getElementById("changes");
    clear(list);
    document.getElementById("changed-from").textContent = entry.previous
      ? "Since " + entry.previous + ":"
      : "The first release.";
    entry.changes.forEach(function (change) {
      var item = document.createElement("li");
      var label =
        "Shot " + change.shot + " " + change.kind + " (" + change.reasons.join(", ") + ")" +
        (change.line ? ", script line " + change.line : "") + " at " + stamp(change.start);
      item.appendChild(
        seekButton(label, change.start, { shot: change.shot, kind: change.kind }),
      );
      list.appendChild(item);
    });
    if (entry.previous && !entry.changes.length) {
      var none = document.createElement("li");
      none.textContent = "Nothing changed.";
      list.appendChild(none);
    }
  }

  function showChapters(entry) {
    var list = document.getElementById("chapters");
    clear(list);
    entry.scenes.forEach(function (scene) {
      var item = document.createElement("li");
      item.appendChild(
        seekButton(stamp(scene.start) + " " + (scene.heading || scene.id), scene.start, {
          scene: scene.id,
        }),
      );
      list.appendChild(item);
    });
  }

  function showTracks(entry) {
    Array.prototype.slice.call(video.querySelectorAll("track")).forEach(function (t) {
      t.remove();
    });
    if (entry.subtitles) {
      var subs = document.createElement("track");
      subs.kind = "subtitles";
      subs.label = "English";
      subs.srclang = "en";
      subs.src = entry.subtitles;
      subs.default = state.subtitles;
      video.appendChild(subs);
    }
    var chapters = document.createElement("track");
    chapters.kind = "chapters";
    chapters.srclang = "en";
    chapters.src = entry.chapters;
    video.appendChild(chapters);
    applySubtitles();
  }

  function applySubtitles() {
    for (var i = 0; i < video.textTracks.length; i++) {
      var track = video.textTracks[i];
      if (track.kind === "subtitles") track.mode = state.subtitles ? "showing" : "hidden";
    }
    subtitlesButton.textContent = "Subtitles: " + (state.subtitles ? "on" : "off");
    subtitlesButton.setAttribute("aria-pressed", String(state.subtitles));
  }

  function showCredits(feed) {
    var list = document.getElementById("credits");
    clear(list);
    feed.credits.forEach(function (line) {
      var item = document.createElement("li");
      item.textContent = line;
      list.appendChild(item);
    });
    document.getElementById("title").textContent = feed.title;
    document.title = feed.title;
    showDisclosure(feed.disclosure);
  }

  // What was made with AI, as the version playing says it (feeds before it: the film's).
  function showDisclosure(text) {
    document.getElementById("disclosure").textContent = text;
    document.getElementById("disclosure-foot").textContent = text;
  }

  // The content credentials of the version playing: its credentials.json, which publish
  // wrote from c2pa's reading of every segment (init + fragment) it signed.
  function showCredentials(entry) {
    var stateLine = document.getElementById("credentials-state");
    var facts = document.getElementById("credentials-facts");
    var more = document.getElementById("credentials-more");
    var panel = document.getElementById("credentials");
    facts.hidden = true;
    more.hidden = true;
    panel.dataset.state = "none";
    state.credentials = null;
    if (!entry.credentials) {
      stateLine.textContent = "This version was published without content credentials.";
      return;
    }
    stateLine.textContent = "Reading " + entry.version + "'s content credentials…";
    fetchJSON(entry.credentials)
      .then(function (said) {
        if (state.entry !== entry) return;
        state.credentials = said;
        panel.dataset.state = said.state;
        var pictures = said.segments.filter(function (s) {
          return s.track === "video";
        }).length;
        var sounds = said.segments.length - pictures;
        stateLine.textContent =
          said.state === "invalid"
            ? "INVALID: some of " + entry.version + "'s segments do not match their signature."
            : "Valid: each of " + entry.version + "'s " + pictures + " picture and " + sounds +
              " sound segments carries a C2PA manifest whose signature and hashes hold.";
        document.getElementById("credentials-signer").textContent =
          said.signer + (said.issuer ? " (" + said.issuer + ", " + said.algorithm + ")" : "");
        document.getElementById("credentials-trust").textContent = said.trusted
          ? "trusted: the signer is on a C2PA trust list"
          : "not trusted: the signer is on no trust list" +
            (said.development ? " (cinecode's development identity)" : "");
        document.getElementById("credentials-disclosure").textContent = said.disclosure;
        var release = document.getElementById("credentials-release");
        var signedRelease = said.release_manifest;
        release.textContent = signedRelease
          ? entry.version + " as a whole: its poster carries a manifest naming every segment (" +
            signedRelease.state + ")"
          : "";
        if (signedRelease) release.href = signedRelease.file;
        var link = document.getElementById("credentials-link");
        link.href = entry.credentials;
        document.getElementById("credentials-how").textContent = " " + said.how;
        facts.hidden = false;
        more.hidden = false;
      })
      .catch(function (error) {
        stateLine.textContent = "Cannot read the content credentials: " + error;
      });
  }

  function select(version) {
    var entry = entryOf(version);
    if (!entry) throw new Error("no version " + version);
    var from = state.entry;
    var at = from ? carry(from, entry, state.mode.time()) : 0;
    state.entry = entry;
    picker.value = version;
    document.body.dataset.version = version;
    document.getElementById("notes").textContent = entry.notes || "";
    if (entry.disclosure) showDisclosure(entry.disclosure);
    showChanges(entry);
    showChapters(entry);
    showTracks(entry);
    showCredentials(entry);
    if (entry.poster) video.poster = entry.poster;
    else video.removeAttribute("poster");
    state.mode.load(entry, at);
    say(entry.version + " (" + stamp(entry.duration) + ")");
  }

  picker.addEventListener("change", function () {
    select(picker.value);
  });
  subtitlesButton.addEventListener("click", function () {
    state.subtitles = !state.subtitles;
    applySubtitles();
  });
  video.addEventListener("timeupdate", function () {
    if (!state.entry) return;
    var scene = state.mode.sceneAt(state.entry, state.mode.time());
    document.body.dataset.scene = scene ? scene.id : "";
  });

  // What tests (and a curious console) can read.
  window.player = {
    get version() {
      return state.entry ? state.entry.version : null;
    },
    get error() {
      return state.error;
    },
    get credentials() {
      return state.credentials;
    },
    get engine() {
      return state.hls ? "hls.js" : "native";
    },
    currentTime: function () {
      return state.mode ? state.mode.time() : 0;
    },
    get scene() {
      if (!state.entry) return null;
      var scene = state.mode.sceneAt(state.entry, state.mode.time());
      return scene ? scene.id : null;
    },
    select: select,
    seek: seek,
    ready: false,
  };

  fetchJSON("releases.json")
    .then(function (feed) {
      state.feed = feed;
      state.mode = modes.linear; // feed.story: the scene-graph mode, when it exists
      showCredits(feed);
      feed.versions.forEach(function (entry) {
        var option = document.createElement("option");
        option.value = entry.version;
        option.textContent = entry.version + (entry.notes ? " — " + entry.notes : "");
        picker.appendChild(option);
      });
      var wanted = new URLSearchParams(location.search).get("v");
      select(wanted && entryOf(wanted) ? wanted : feed.latest);
      window.player.ready = true;
    })
    .catch(function (error) {
      state.error = String(error);
      say("Cannot load releases.json: " + error);
    });
})();
