"""Spot effects for the foley backend: a description picks a recipe, the recipe synthesizes it.

Every recipe starts its sound at the first sample (the mix places it on the beat) and fits the
length it is given. They are physical sketches rather than samples: impacts are a low thump
plus a noise transient through the body's resonances, creaks are stick-slip pulse trains,
glass is many short inharmonic partials, thunder a crack followed by a rolling rumble.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from cinecode.media.dsp import (
    Mono,
    Rng,
    Stereo,
    add_at,
    attack_decay,
    bandpass,
    brown,
    decay,
    drift,
    hann_swell,
    highpass,
    lowpass,
    overlay,
    pan,
    pink,
    resonate,
    samples,
    sweep_resonate,
    white,
)

Recipe = Callable[[Rng, int, int, str], Stereo]


def _thump(rng: Rng, rate: int, hz: float, seconds: float) -> Mono:
    n = samples(seconds, rate)
    t = np.arange(n) / rate
    glide = hz * (1 + 0.5 * np.exp(-t * 40))
    tone = np.sin(2 * np.pi * np.cumsum(glide) / rate) * decay(n, rate, seconds)
    noise = lowpass(white(rng, n), hz * 4, rate) * decay(n, rate, seconds * 0.3) * 2
    return (tone + noise).astype(np.float32)


def _click(rng: Rng, rate: int, hz: float, q: float, seconds: float = 0.03) -> Mono:
    n = samples(seconds, rate)
    burst = white(rng, n) * decay(n, rate, seconds * 0.25)
    return resonate(burst, hz, q, rate) * 3


def _creak(rng: Rng, rate: int, seconds: float, low: float, high: float) -> Mono:
    """Stick-slip friction: an irregular pulse train whose rate wanders, through a body."""
    n = samples(seconds, rate)
    rate_hz = low + (high - low) * (0.5 + 0.5 * drift(rng, n, rate, 3.0))
    phase = np.cumsum(rate_hz / rate)
    ticks = np.diff(np.floor(phase), prepend=0.0).astype(np.float32)
    ticks *= rng.uniform(0.5, 1.0, n).astype(np.float32)
    body = resonate(ticks, 620, 7, rate) + 0.6 * resonate(ticks, 1350, 9, rate)
    body += 0.3 * resonate(ticks, 2900, 12, rate)
    return (body * hann_swell(n, 0.3) * 4).astype(np.float32)


def _room(x: Mono, position: float = 0.0) -> Stereo:
    return pan(x.astype(np.float32), position)


def _fit(x: Stereo, n: int) -> Stereo:
    out = np.zeros((2, n), np.float32)
    add_at(out, x[:, :n], 0)
    return out


# --- recipes ---------------------------------------------------------------------------------


def door(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """Knocks, a creaking opening, or a slam with its latch rattle."""
    out = np.zeros(n, np.float32)
    if re.search(r"knock", text):
        for index in range(3):
            knock = overlay(_thump(rng, rate, 170, 0.12), 0.5 * _click(rng, rate, 900, 5, 0.05))
            add_at(out, knock, samples(index * 0.22 + rng.uniform(0, 0.02), rate))
        return _room(out)
    at = 0
    if re.search(r"open|creak|swing", text):
        creak = _creak(rng, rate, 1.1, 25, 90)
        add_at(out, creak * 0.5, 0)
        at = creak.size
        add_at(out, _click(rng, rate, 2400, 12) * 0.4, samples(0.05, rate))
    if re.search(r"slam|bang|shut|close|kick", text) or at == 0:
        hard = bool(re.search(r"slam|bang|kick", text))
        hit = overlay(
            _thump(rng, rate, 75 if hard else 95, 0.35 if hard else 0.2),
            0.8 * _click(rng, rate, 320, 3, 0.12),
            0.3 * _click(rng, rate, 1800, 6, 0.04),
        )
        add_at(out, hit * (1.0 if hard else 0.5), at)
        rattle = at + samples(0.04, rate)
        for index in range(int(rng.integers(2, 5))):
            add_at(out, _click(rng, rate, 3200, 20) * 0.15, rattle + samples(index * 0.03, rate))
    return _room(out)


def footsteps(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """Heel and toe steps at the gait and on the ground the words say."""
    running = bool(re.search(r"\brun|race|sprint|hurr|rush|dash|flee", text))
    stumble = bool(re.search(r"stumbl|stagger|limp|shuffl", text))
    gravel = bool(re.search(r"gravel|path|mud|dirt|sand|snow|grass|ext|outside", text))
    metal = bool(re.search(r"metal|iron|steel|stairs?|gantry|ladder", text))
    out = np.zeros((2, n), np.float32)
    step = 0.32 if running else 0.58
    t = 0.02
    side = 1.0
    while t < n / rate - 0.25:
        heel = _thump(rng, rate, 110 if not metal else 180, 0.09) * 0.7
        scuff_n = samples(0.07, rate)
        scuff = bandpass(white(rng, scuff_n), 900, 4500, rate) * attack_decay(
            scuff_n, rate, 0.005, 0.06
        )
        foot = np.zeros(samples(0.25, rate), np.float32)
        add_at(foot, heel, 0)
        add_at(foot, scuff * 0.6, samples(0.045, rate))
        if gravel:
            grains = np.zeros(foot.size, np.float32)
            count = 60
            where = rng.integers(0, samples(0.12, rate), count)
            grains[where] = rng.standard_normal(count).astype(np.float32)
            foot += highpass(resonate(grains, 3000, 2, rate), 1500, rate) * 1.2
        if metal:
            foot += resonate(foot, 1250, 40, rate) * 0.5
        gain = rng.uniform(0.7, 1.0) * (1.3 if running else 1.0)
        add_at(out, pan(foot * gain, 0.15 * side), samples(t, rate))
        side = -side
        t += step * (rng.uniform(0.6, 1.5) if stumble else rng.uniform(0.94, 1.06))
    return out


def thunder(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """A crack (when close) and a long rolling rumble."""
    close = bool(re.search(r"crack|overhead|close|clap|lightning|split", text)) and not re.search(
        r"distant|far", text
    )
    out = np.zeros((2, n), np.float32)
    if close:
        m = samples(0.4, rate)
        crack = highpass(white(rng, m), 400, rate) * decay(m, rate, 0.35) * 1.6
        crack += bandpass(white(rng, m), 80, 900, rate) * decay(m, rate, 0.3) * 1.6
        add_at(out, np.stack([crack, crack * 0.9]), 0)
    start = 0.05 if close else 0.0
    m = n - samples(start, rate)
    # a rumble that dies slowly, with two or three rolls rising out of it as the sound of the
    # far parts of the bolt arrives
    seconds = m / rate
    shape = attack_decay(m, rate, 0.08 if close else 0.6, seconds * 2.2)
    for _ in range(int(rng.integers(2, 4))):
        length = samples(rng.uniform(0.8, 1.8), rate)
        swell = hann_swell(length, rng.uniform(0.2, 0.4)) * rng.uniform(0.4, 0.8)
        add_at(shape, swell, samples(rng.uniform(0.4, max(0.5, seconds * 0.55)), rate))
    shape *= 0.5 + 0.5 * np.abs(drift(rng, m, rate, 4.0, smooth=1))
    for ch in range(2):
        rumble = lowpass(brown(rng, m), 260 if close else 150, rate) * 2.2
        rumble += bandpass(pink(rng, m), 60, 600, rate) * 0.8
        add_at(out[ch], (rumble * shape).astype(np.float32), samples(start, rate))
    return out


def glass(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """Shards of inharmonic ringing partials after an impact, or a clink."""
    out = np.zeros((2, n), np.float32)
    breaking = bool(re.search(r"break|shatter|smash|crash|burst", text))
    shards = 45 if breaking else 2
    if breaking:
        m = samples(0.08, rate)
        hit = highpass(white(rng, m), 1500, rate) * decay(m, rate, 0.07) * 2
        add_at(out, np.stack([hit, hit]), 0)
    for index in range(shards):
        m = samples(rng.uniform(0.05, 0.35), rate)
        t = np.arange(m) / rate
        base = rng.uniform(2200, 7500)
        partials = [
            np.sin(2 * np.pi * base * ratio * t + rng.uniform(0, 6.28)) / (1 + k)
            for k, ratio in enumerate((1.0, 2.32, 4.25))
        ]
        ring = np.asarray(np.sum(partials, axis=0), np.float32) * decay(m, rate, m / rate)
        at = samples(rng.exponential(0.12) if breaking else index * 0.16, rate)
        gain = rng.uniform(0.2, 0.8) if breaking else 0.6
        add_at(out, pan((ring * gain).astype(np.float32), rng.uniform(-0.6, 0.6)), at)
    return out


def _engine_tone(rng: Rng, n: int, rate: int, hz: Mono) -> Mono:
    phase = np.cumsum(hz / rate)
    frac = phase - np.floor(phase)
    pulses = np.exp(-frac * 12).astype(np.float32)
    body = lowpass(pulses, 900, rate) + 0.7 * resonate(pulses, 120, 3, rate)
    return np.asarray(body + 0.4 * bandpass(pink(rng, n), 200, 2000, rate), np.float32)


def car(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """A horn, a screech, a start, or a pass-by with Doppler and panning."""
    if re.search(r"horn|honk|hoot", text):
        m = min(n, samples(0.7, rate))
        t = np.arange(m) / rate
        tone = np.sign(np.sin(2 * np.pi * 400 * t)) + np.sign(np.sin(2 * np.pi * 500 * t))
        tone = lowpass(tone.astype(np.float32), 3000, rate) * attack_decay(m, rate, 0.01, 2)
        tone[-samples(0.03, rate) :] *= np.linspace(1, 0, samples(0.03, rate))
        return _fit(pan(tone * 0.3, 0.2), n)
    if re.search(r"screech|brake|skid|squeal", text):
        m = min(n, samples(1.4, rate))
        f = 1700 + 400 * drift(rng, m, rate, 6)
        squeal = np.sin(2 * np.pi * np.cumsum(f) / rate) * 0.5 + bandpass(
            white(rng, m), 1000, 5000, rate
        )
        return _fit(pan((squeal * hann_swell(m, 0.2)).astype(np.float32), 0.0), n)
    if re.search(r"start|ignition|crank", text):
        m = n
        starter = _creak(rng, rate, 0.9, 9, 14) * 2
        idle = _engine_tone(rng, m, rate, np.full(m, 16.0, np.float32))
        idle *= np.clip((np.arange(m) / rate - 0.8) * 4, 0, 1)
        mono = np.zeros(m, np.float32)
        add_at(mono, starter, 0)
        return pan(mono + idle * 0.8, 0.0)
    # a pass-by: rising and falling, panning across, pitch falling as it goes (Doppler)
    s = np.linspace(0, 1, n)
    hz = (34 * (1 + 0.09 * np.tanh((0.5 - s) * 8))).astype(np.float32)
    mono = _engine_tone(rng, n, rate, hz) + bandpass(pink(rng, n), 300, 2500, rate)
    mono *= hann_swell(n, 0.5) ** 1.5
    way = np.tanh((s - 0.5) * 5) * 0.9
    angle = (way + 1) * np.pi / 4
    return np.stack([mono * np.cos(angle), mono * np.sin(angle)]).astype(np.float32)


def engine_away(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """A motor revving and receding (a boat pulling away, a car driving off)."""
    s = np.linspace(0, 1, n)
    hz = (14 + 14 * np.clip(s * 4, 0, 1)).astype(np.float32)
    mono = _engine_tone(rng, n, rate, hz)
    mono = sweep_resonate(mono, (2400 - 1800 * s).astype(np.float32), 0.9, rate) * 2 + mono * 0.3
    if re.search(r"boat|launch|wake|water|sea", text):
        mono += bandpass(white(rng, n), 500, 4000, rate) * 0.5 * drift(rng, n, rate, 2) ** 2
    mono *= attack_decay(n, rate, 0.3, n / rate * 1.1)
    return pan(mono.astype(np.float32), 0.3)


def gunshot(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """A crack, its body, a reverberant tail and a slap echo."""
    out = np.zeros((2, n), np.float32)
    m = samples(0.25, rate)
    crack = overlay(white(rng, m) * decay(m, rate, 0.06) * 3, _thump(rng, rate, 60, 0.25))[:m]
    tail_n = min(n, samples(1.8, rate))
    tail = lowpass(brown(rng, tail_n), 500, rate) * decay(tail_n, rate, 1.6) * 0.6
    for ch, delay in enumerate((0.0, 0.011)):
        add_at(out[ch], crack, samples(delay, rate))
        add_at(out[ch], tail, samples(0.03 + delay, rate))
        add_at(out[ch], crack * 0.25, samples(0.21 + 0.05 * ch, rate))  # slap echo
    return out


def explosion(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """A deep boom, rumble and debris."""
    out = np.zeros((2, n), np.float32)
    boom = _thump(rng, rate, 38, min(n / rate, 2.5)) * 1.5
    for ch in range(2):
        rumble = lowpass(brown(rng, n), 300, rate) * attack_decay(n, rate, 0.01, n / rate) * 2
        debris = highpass(white(rng, n), 2000, rate) * attack_decay(n, rate, 0.2, 1.5) * 0.3
        out[ch] = rumble + debris
        add_at(out[ch], boom, 0)
    return out


def match(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """The strike's scratch, the flare and a soft burn."""
    out = np.zeros(n, np.float32)
    m = samples(0.14, rate)
    scratch = bandpass(white(rng, m), 1800, 7000, rate) * (
        0.4 + np.abs(drift(rng, m, rate, 60, smooth=0))
    )
    add_at(out, np.asarray(scratch * hann_swell(m, 0.3) * 2, np.float32), 0)
    f = samples(0.5, rate)
    flare = bandpass(white(rng, f), 600, 6000, rate) * attack_decay(f, rate, 0.02, 0.45) * 1.5
    add_at(out, flare, samples(0.1, rate))
    burn_n = max(0, n - samples(0.5, rate))
    burn = bandpass(pink(rng, burn_n), 300, 3000, rate) * 0.15 * decay(burn_n, rate, 4)
    add_at(out, burn, samples(0.5, rate))
    return _room(out, 0.1)


def ignite(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """A flame catching: a rising whoosh over a roar."""
    m = min(n, samples(1.4, rate))
    centre = np.geomspace(250, 2500, m).astype(np.float32)
    whoosh = sweep_resonate(pink(rng, m), centre, 1.1, rate) * hann_swell(m, 0.35) * 3
    roar = lowpass(brown(rng, n), 400, rate) * attack_decay(n, rate, 0.3, n / rate) * 0.8
    out = roar.copy()
    add_at(out, whoosh.astype(np.float32), 0)
    return _room(out)


def radio_static(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """A burst of band-limited static, chopped and crackling."""
    hiss = bandpass(white(rng, n), 450, 3300, rate)
    chop = (drift(rng, n, rate, 12, smooth=0) > -0.4).astype(np.float32)
    chop = lowpass(chop, 60, rate)
    crackle = np.zeros(n, np.float32)
    count = int(n / rate * 60)
    crackle[rng.integers(0, n, count)] = rng.standard_normal(count).astype(np.float32) * 4
    mono = (hiss * chop + bandpass(crackle, 800, 5000, rate)) * hann_swell(n, 0.15)
    return _room(mono.astype(np.float32), 0.4)


def clockwork(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """Accelerating ratchet clicks, with a groan when asked."""
    out = np.zeros(n, np.float32)
    t = 0.0
    speed = 9.0
    while t < n / rate - 0.05:
        tick = overlay(
            _click(rng, rate, 3100, 18, 0.04),
            0.6 * _click(rng, rate, 5200, 25, 0.03),
            0.4 * _click(rng, rate, 750, 6, 0.05),
        )
        add_at(out, tick * rng.uniform(0.6, 1.0), samples(t, rate))
        t += 1 / speed * rng.uniform(0.9, 1.1)
        speed = min(14.0, speed + 0.1)
    if re.search(r"groan|creak|strain|grind", text):
        groan = _creak(rng, rate, n / rate, 30, 70)
        out += groan[:n] * 0.6
    return _room(out)


def thud(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """Something heavy dropped: a thump and a rustle."""
    out = np.zeros(n, np.float32)
    add_at(out, _thump(rng, rate, 85, 0.3), 0)
    m = samples(0.35, rate)
    rustle = bandpass(white(rng, m), 1200, 6000, rate) * attack_decay(m, rate, 0.01, 0.3) * 0.4
    add_at(out, rustle, samples(0.01, rate))
    return _room(out)


def clunk(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """Something set down: a short knock and a click."""
    out = np.zeros(n, np.float32)
    add_at(
        out, overlay(_thump(rng, rate, 140, 0.12) * 0.6, _click(rng, rate, 1500, 6, 0.06) * 0.5), 0
    )
    add_at(out, _click(rng, rate, 2800, 10, 0.03) * 0.2, samples(0.07, rate))
    return _room(out, 0.1)


def paper(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """Pages turning: bright crinkling rustles."""
    out = np.zeros(n, np.float32)
    turns = 1 if re.search(r"\ba page|one page|letter|unfold", text) else 3
    for index in range(turns):
        m = samples(rng.uniform(0.35, 0.6), rate)
        crinkle = np.abs(drift(rng, m, rate, 80, smooth=0)) ** 2
        rustle = bandpass(white(rng, m), 1500, 9000, rate) * (0.3 + crinkle) * hann_swell(m, 0.4)
        add_at(out, rustle.astype(np.float32), samples(index * rng.uniform(0.9, 1.4), rate))
    return _room(out, -0.1)


def splash(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """A body of water breaking, with bubbles."""
    out = np.zeros((2, n), np.float32)
    for ch in range(2):
        body = lowpass(white(rng, n), 2500, rate) * attack_decay(n, rate, 0.01, 1.2) * 2
        bubbles = np.zeros(n, np.float32)
        for at in rng.integers(0, n // 2, 25):
            m = samples(0.03, rate)
            s = np.linspace(0, 1, m)
            bubble = np.sin(2 * np.pi * np.cumsum(rng.uniform(400, 900) * (1 + s)) / rate) * np.sin(
                np.pi * s
            )
            add_at(bubbles, bubble.astype(np.float32) * 0.5, int(at))
        out[ch] = body + bubbles
    return out


def bell(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """A struck bell's inharmonic partials."""
    t = np.arange(n) / rate
    base = 440.0 if re.search(r"small|door|shop|hand", text) else 180.0
    tone = sum(
        np.sin(2 * np.pi * base * ratio * t) * np.exp(-t * (1.2 + ratio * 0.8)) / (1 + 0.5 * k)
        for k, ratio in enumerate((0.5, 1.0, 1.19, 1.5, 2.0, 2.52, 3.0))
    )
    return _room(np.asarray(tone, np.float32) * 0.5)


def phone(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """A telephone ring cadence."""
    t = np.arange(n) / rate
    tone = (np.sin(2 * np.pi * 440 * t) + np.sin(2 * np.pi * 480 * t)) * 0.5
    ring = (np.sin(2 * np.pi * 20 * t) > 0) & ((t % 3.0) < 1.2)
    return _room(lowpass((tone * ring).astype(np.float32), 3400, rate) * 0.5, 0.3)


def writing(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """A pen scratching in strokes."""
    out = np.zeros(n, np.float32)
    t = 0.0
    while t < n / rate - 0.2:
        m = samples(rng.uniform(0.08, 0.3), rate)
        stroke = bandpass(white(rng, m), 2500, 8000, rate) * hann_swell(m, 0.5)
        stroke *= 0.5 + np.abs(drift(rng, m, rate, 40, smooth=0))
        add_at(out, (stroke * 0.5).astype(np.float32), samples(t, rate))
        t += m / rate + rng.uniform(0.03, 0.15)
    return _room(out, -0.1)


def cup(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """Ceramic clinks, and a pour when tea or coffee is named."""
    out = np.zeros(n, np.float32)
    for index in range(2 if re.search(r"clink|toast|cheers", text) else 1):
        m = samples(0.5, rate)
        t = np.arange(m) / rate
        base = rng.uniform(1800, 2600)
        partials = [np.sin(2 * np.pi * base * r * t) / (1 + k) for k, r in enumerate((1, 2.7, 5.1))]
        ring = np.asarray(np.sum(partials, axis=0), np.float32) * decay(m, rate, 0.35) * 0.4
        add_at(
            out, overlay(ring, _click(rng, rate, 1200, 4, 0.02) * 0.3), samples(index * 0.4, rate)
        )
    if re.search(r"pour|tea|coffee|water", text):
        start = samples(0.6, rate)
        m = max(0, min(n - start, samples(1.6, rate)))
        centre = np.linspace(500, 1200, m).astype(np.float32)
        stream = sweep_resonate(white(rng, m), centre, 3, rate) * hann_swell(m, 0.15) * 0.8
        add_at(out, stream.astype(np.float32), start)
    return _room(out, 0.1)


def whoosh(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """A swept whoosh panning across."""
    m = min(n, samples(1.2, rate))
    centre = (400 + 2400 * hann_swell(m, 0.5)).astype(np.float32)
    mono = sweep_resonate(pink(rng, m), centre, 1.4, rate) * hann_swell(m, 0.5) * 2.5
    s = np.linspace(-0.7, 0.7, m)
    angle = (s + 1) * np.pi / 4
    return _fit(np.stack([mono * np.cos(angle), mono * np.sin(angle)]).astype(np.float32), n)


def gust(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """One gust of wind."""
    out = np.zeros((2, n), np.float32)
    centre = (300 + 700 * hann_swell(n, 0.4)).astype(np.float32)
    for ch in range(2):
        out[ch] = (
            sweep_resonate(pink(rng, n), centre * (1 + 0.05 * ch), 1.3, rate)
            * hann_swell(n, 0.4)
            * 2
        )
    return out


def heartbeat(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """A lub-dub heartbeat."""
    out = np.zeros(n, np.float32)
    t = 0.0
    while t < n / rate - 0.3:
        add_at(out, _thump(rng, rate, 50, 0.2), samples(t, rate))
        add_at(out, _thump(rng, rate, 45, 0.2) * 0.7, samples(t + 0.28, rate))
        t += 0.9
    return _room(lowpass(out, 200, rate) * 2)


def creak(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """Wood creaking (stick-slip friction)."""
    seconds = min(n / rate, 1.6)
    return _fit(_room(_creak(rng, rate, seconds, 20, 70)), n)


def impact(rng: Rng, n: int, rate: int, text: str) -> Stereo:
    """A generic hit: thump, knock and a little debris."""
    out = np.zeros(n, np.float32)
    add_at(out, overlay(_thump(rng, rate, 70, 0.45), 0.6 * _click(rng, rate, 600, 2, 0.2)), 0)
    m = samples(0.5, rate)
    add_at(out, highpass(white(rng, m), 1500, rate) * decay(m, rate, 0.25) * 0.4, 0)
    return _room(out)


#: (pattern, recipe) — the first match wins, so specific sounds come before generic ones
RECIPES: tuple[tuple[str, Recipe], ...] = (
    (r"thunder|lightning", thunder),
    (r"radio|static|crackl|walkie|intercom|transmission", radio_static),
    (r"gun|shot\b|gunfire|pistol|rifle", gunshot),
    (r"explo|blast|detonat", explosion),
    (r"glass|window (break|shatter)|shatter|bottle|clink|toast", glass),
    (r"match|lighter", match),
    (r"flame|ignite|ignit|bloom|whumph|burst into fire|catches fire", ignite),
    (r"clockwork|ratchet|crank|gear|cog|winch|mechanism", clockwork),
    (r"knock|door|gate|latch", door),
    (r"footstep|step|walk|\brun|stumbl|stride|pace|climb|stair", footsteps),
    (r"horn|honk|screech|brake|skid|ignition", car),
    (r"pulls? away|drives? (off|away)|speeds? off|departs?|recede", engine_away),
    (r"\bcar\b|truck|van\b|traffic|pass(es|ing)? by|drives? (by|past)", car),
    (r"engine|motor|outboard", engine_away),
    (r"phone|ring(s|ing)?\b|telephone", phone),
    (r"bell|chime|toll", bell),
    (r"page|paper|book|letter|newspaper|map", paper),
    (r"pen\b|pencil|writ|scribbl|scratch", writing),
    (r"cup|mug|tea\b|teacup|saucer|pour", cup),
    (r"splash|plunge|dive|wave crash|spray", splash),
    (r"heartbeat|heart beat|pulse", heartbeat),
    (r"gust|wind", gust),
    (r"whoosh|swish|sweep|swing|swoosh|beam", whoosh),
    (r"creak|groan|floorboard|rope|hinge", creak),
    (r"drop|thud|fall|falls|dump|bag|collaps", thud),
    (r"handset|receiver|sets? .* down|puts? .* down|places?|clunk|thunk", clunk),
    (r"crash|bang|slam|hit|punch|smash|impact|collide|boom", impact),
)


def match_recipe(description: str) -> tuple[str, Recipe, bool]:
    """(recipe name, recipe, matched) for a description; unknown sounds get a soft impact."""
    text = description.lower()
    for pattern, recipe in RECIPES:
        if re.search(pattern, text):
            return recipe.__name__, recipe, True
    return impact.__name__, impact, False
