"""Ambience beds for the foley backend: a description becomes layers, each synthesized.

`parse_bed("gale wind, heavy rain, surf booming on rocks")` → wind (strong), rain (strong),
surf (booming). Each layer is built from shaped noise and small synthesized events:

=========  ===================================================================================
room       brown + pink noise, low-passed: the air of a quiet room
wind       pink noise through a resonance that follows slow random gusts; strong wind howls
rain       filtered hiss + thousands of random drop impulses through drop resonances
surf       waves every 5-9 s: rumble, wash and crest (brightness follows the wave); booming
           adds the thump of water on rock
gulls      "kee-ow" calls: harmonic-rich tones gliding down, at random times and distances
birds      trills of fast frequency-swept chirps
insects    crickets: 4-5 kHz pulses in chirps, several insects at different rates
clock      tick-tock: short clicks through wooden resonances, twice a second
kettle     simmering hiss and rising bubbles
fire       low roar and random crackles
engine     a firing pulse train (idle ~13 Hz, straining ~28 Hz) through a hull resonance
radio      band-limited hiss and crackle
traffic    road rumble and cars passing across the stereo field
crowd      murmur: noise through moving vowel formants, syllable-rate modulated
leaves     wind in trees: bright rustling noise in gusts
hum        mains hum and air handling
water      lapping and trickling water
thunder    distant rolling thunder now and then
=========  ===================================================================================

Words such as gentle/soft/distant/single lower a layer's intensity, heavy/booming/gale/
straining raise it (and change its character, not only its level).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

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
    generator,
    hann_swell,
    highpass,
    lowpass,
    pan,
    pink,
    resonate,
    samples,
    sweep_resonate,
    white,
    widen,
)


@dataclass(frozen=True)
class Layer:
    kind: str
    intensity: float = 1.0  # 1 = normal; <1 gentle, >1 strong
    detail: str = ""  # words that change the character (glass, single, straining…)


#: (pattern, layers it adds) — checked in order; a chunk may add several layers
VOCABULARY: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"\bstorm|tempest|hurricane", ("wind", "rain", "thunder")),
    (r"\bradio|static|intercom|walkie|transmitter", ("radio",)),
    (r"\bthunder", ("thunder",)),
    (r"\bwind|gale|breeze|gust|draught|draft|blizzard", ("wind",)),
    (r"\brain|drizzle|downpour|shower", ("rain",)),
    (r"\bsurf|waves?\b|\bsea\b|ocean|swell|shore|beach|breakers|tide", ("surf",)),
    (r"\bgulls?\b|seagull|seabird|gannet", ("gulls",)),
    (r"\bbirds?|birdsong|songbird|dawn chorus|chirp", ("birds",)),
    (r"\binsects?|crickets?|cicadas?|frogs?|katydid", ("insects",)),
    (r"\bclock|ticking|tick", ("clock",)),
    (r"\bkettle|simmer|boil|\bpot\b|saucepan", ("kettle",)),
    (r"\bfire|hearth|fireplace|campfire|crackl|embers|logs? burning", ("fire",)),
    (r"\bengine|motor|outboard|idling|generator", ("engine",)),
    (r"\btraffic|city|street|\bcars?\b|\broad|town|urban|highway", ("traffic",)),
    (
        r"\bcrowd|murmur|chatter|people|voices|\bbar\b|caf[eé]|restaurant|party|market|pub\b",
        ("crowd",),
    ),
    (r"\bleaves|forest|trees|woods|rustl|jungle", ("leaves",)),
    (
        r"\bhum\b|humming|fridge|refrigerator|air.?condition|hvac|fluorescent|machine|server",
        ("hum",),
    ),
    (r"\bstream|river|brook|lapping|harbou?r|trickl|fountain|water", ("water",)),
    (r"\broom tone|\broom\b|silence|quiet|\bstill\b|empty", ("room",)),
)
SOFTER = (
    r"\bgentle|soft|light|calm|faint|distant|far|low\b|quiet|single|lone|little|small|"
    r"dying|fading|weak|occasional|slight|sparse|barely"
)
OUTSIDE = r"\boutside|beyond|through the (walls?|windows?)|next door|muffled|behind the"
NOTHING = r"to nothing|dropped|died down|almost gone"
STRONGER = (
    r"\bheavy|strong|big|booming|howling|fierce|violent|driving|battering|roaring|loud|"
    r"crashing|straining|raging|hammering|slamming|pounding|gale|downpour|torrential|wild"
)


def parse_bed(description: str) -> list[Layer]:
    """The layers a description asks for, with their intensity."""
    layers: dict[str, Layer] = {}
    for chunk in re.split(r",|;|\band\b|\bwith\b|\+", description.lower()):
        chunk = chunk.strip()
        if not chunk:
            continue
        intensity = 1.0
        intensity *= 0.55 ** len(re.findall(SOFTER, chunk))
        intensity *= 1.45 ** min(2, len(re.findall(STRONGER, chunk)))
        if re.search(NOTHING, chunk):
            intensity = min(intensity, 0.2)
        if re.search(r"\brising|building|growing", chunk):
            intensity *= 1.15
        intensity = float(min(2.2, max(0.12, intensity)))
        for pattern, kinds in VOCABULARY:
            if re.search(pattern, chunk):
                for kind in kinds:
                    if kind not in layers:
                        layers[kind] = Layer(kind, intensity, chunk)
                break
    return list(layers.values())


def _level(db: float, intensity: float, per_octave: float = 7.0) -> float:
    """Linear gain: `db` at intensity 1, `per_octave` dB more per doubling."""
    return float(10 ** ((db + per_octave * math.log2(max(intensity, 1e-3))) / 20))


def _rms_to(x: Stereo, gain: float) -> Stereo:
    rms = float(np.sqrt(np.mean(np.square(x)))) or 1.0
    return (x / rms * gain).astype(np.float32)


# --- layers -------------------------------------------------------------------------------------

Maker = Callable[[Rng, int, int, Layer], Stereo]


def room(rng: Rng, n: int, rate: int, layer: Layer) -> Stereo:
    """The air of a quiet room: low brown noise and a little pink."""
    low = widen(rng, lambda r, m: lowpass(brown(r, m), 220, rate), n, 0.6)
    air = widen(rng, lambda r, m: lowpass(pink(r, m), 1400, rate), n, 0.2)
    return _rms_to(low + 0.35 * air, _level(-50, layer.intensity))


def wind(rng: Rng, n: int, rate: int, layer: Layer) -> Stereo:
    """Pink noise through a resonance that follows random gusts; strong wind howls."""
    k = layer.intensity
    gust = 0.5 + 0.5 * drift(rng, n, rate, 0.12 + 0.12 * k)
    env = (0.3 + 0.7 * gust) ** (1.0 + 0.8 * k)
    centre = 220 + (380 + 520 * min(k, 2.0)) * gust
    out = np.zeros((2, n), np.float32)
    for ch in range(2):
        body = sweep_resonate(pink(rng, n), centre * (1 + 0.06 * ch), 1.2, rate)
        rumble = lowpass(brown(rng, n), 160, rate) * 0.8
        out[ch] = (body * 1.6 + rumble) * env
        if k > 1.15 or re.search(r"howl|whistl|gale", layer.detail):
            howl = sweep_resonate(white(rng, n), 520 + 700 * gust + 40 * ch, 28.0, rate)
            out[ch] += howl * env**2 * 2.2 * min(1.0, k - 0.6)
    return _rms_to(out, _level(-31, k, 8))


def rain(rng: Rng, n: int, rate: int, layer: Layer) -> Stereo:
    """Hiss plus thousands of drop impulses through drop (glass, tin) resonances."""
    k = layer.intensity
    on_glass = bool(re.search(r"glass|window|pane|batter", layer.detail))
    on_tin = bool(re.search(r"tin|roof|metal|car|umbrella", layer.detail))
    out = np.zeros((2, n), np.float32)
    swell = 0.85 + 0.15 * drift(rng, n, rate, 0.2)
    for ch in range(2):
        hiss = bandpass(white(rng, n), 1800, 9500, rate) * swell
        drops = np.zeros(n, np.float32)
        count = int(n / rate * 700 * k**1.5)
        where = rng.integers(0, n, count)
        np.add.at(drops, where, rng.exponential(1.0, count).astype(np.float32))
        if on_glass:
            patter = resonate(drops, 3900, 6, rate) + 0.7 * resonate(drops, 6100, 9, rate)
        elif on_tin:
            patter = resonate(drops, 2600, 14, rate) + 0.6 * resonate(drops, 4300, 18, rate)
        else:
            patter = resonate(drops, 3200, 3, rate) + 0.5 * resonate(drops, 1300, 2.5, rate)
        patter = highpass(patter, 700, rate)
        out[ch] = hiss * 0.9 + patter * (0.7 if on_glass else 0.45)
        if k > 1.1:
            out[ch] += lowpass(brown(rng, n), 280, rate) * 0.5 * (k - 0.9)
    return _rms_to(out, _level(-31, k, 7))


def surf(rng: Rng, n: int, rate: int, layer: Layer) -> Stereo:
    """Waves every 5-9 s: rumble, wash and a bright crest; booming adds rock thumps."""
    k = layer.intensity
    booming = bool(re.search(r"boom|rock|pound|crash|cliff|bow", layer.detail))
    swell_only = bool(re.search(r"swell", layer.detail)) and not booming
    env = np.full(n, 0.12, np.float32)
    crests: list[tuple[int, float, float]] = []
    t = -rng.uniform(2, 6)
    while t * rate < n + rate * 4:
        period = rng.uniform(5.5, 9.5) / (0.75 + 0.25 * min(k, 1.6))
        rise = rng.uniform(1.4, 2.6) * (1.5 if swell_only else 1.0)
        fall = rng.uniform(3.0, 5.5)
        height = rng.uniform(0.6, 1.0)
        length = samples(rise + fall, rate)
        shape = attack_decay(length, rate, rise, fall) * height
        add_at(env, shape.astype(np.float32), round(t * rate))
        crests.append((round((t + rise) * rate), height, rng.uniform(-0.4, 0.4)))
        t += period
    env = np.minimum(env, 1.4)
    out = np.zeros((2, n), np.float32)
    for ch in range(2):
        low = lowpass(brown(rng, n), 420, rate) * env
        mid = bandpass(pink(rng, n), 300, 1500, rate) * env**1.5 * 1.4
        high = bandpass(white(rng, n), 1200, 9000, rate) * env**2.2 * (0.2 if swell_only else 1.0)
        out[ch] = low * 1.2 + mid + high * 1.3
    if booming:
        for at, height, position in crests:
            thump_n = samples(1.2, rate)
            tt = np.arange(thump_n) / rate
            thump = np.sin(2 * np.pi * (48 + 10 * height) * tt) * decay(thump_n, rate, 1.0)
            thump += lowpass(brown(rng, thump_n), 140, rate) * 3 * decay(thump_n, rate, 0.9)
            add_at(out, pan((thump * height * 1.6).astype(np.float32), position), at)
    return _rms_to(out, _level(-28 if not swell_only else -33, k, 7))


def _gull_note(rng: Rng, rate: int) -> Mono:
    seconds = rng.uniform(0.18, 0.42)
    n = samples(seconds, rate)
    t = np.linspace(0, 1, n)
    start = rng.uniform(1500, 2100)
    path = start * (1 + 0.12 * np.sin(np.clip(t / 0.3, 0, 1) * np.pi / 2) - 0.45 * t**1.4)
    phase = 2 * np.pi * np.cumsum(path) / rate
    tone = np.tanh(2.6 * np.sin(phase)) + 0.3 * np.sin(2 * phase)
    breath = bandpass(white(rng, n), 2000, 5500, rate) * 0.5
    env = attack_decay(n, rate, 0.025, seconds * 1.3) * np.clip((1 - t) * 8, 0, 1)
    return bandpass((tone + breath) * env, 700, 7000, rate)


def gulls(rng: Rng, n: int, rate: int, layer: Layer) -> Stereo:
    """Gull calls at random times and distances."""
    single = bool(re.search(r"single|lone|one\b|a gull", layer.detail))
    mean_gap = 11.0 if single else 4.5 / max(layer.intensity, 0.3)
    out = np.zeros((2, n), np.float32)
    t = rng.uniform(0.5, mean_gap)
    while t * rate < n:
        distance = rng.uniform(0.25, 1.0)
        position = rng.uniform(-0.8, 0.8)
        at = samples(t, rate)
        for _ in range(int(rng.integers(2, 6))):
            note = lowpass(_gull_note(rng, rate), 2500 + 5500 * distance, rate)
            add_at(out, pan((note * distance).astype(np.float32), position), at)
            at += note.size + samples(rng.uniform(0.08, 0.22), rate)
        t += rng.exponential(mean_gap) + 1.0
    return (out * _level(-20, 1.0)).astype(np.float32)


def birds(rng: Rng, n: int, rate: int, layer: Layer) -> Stereo:
    """Songbird trills of fast frequency-swept chirps."""
    out = np.zeros((2, n), np.float32)
    for bird in range(3):
        base = rng.uniform(2600, 4800)
        position = rng.uniform(-0.9, 0.9)
        distance = rng.uniform(0.3, 1.0)
        t = rng.uniform(0, 3)
        while t * rate < n:
            at = samples(t, rate)
            up = bool(rng.integers(0, 2))
            for _ in range(int(rng.integers(3, 9))):
                m = samples(rng.uniform(0.035, 0.085), rate)
                s = np.linspace(0, 1, m)
                f = base * ((0.7 + 0.6 * s) if up else (1.3 - 0.6 * s))
                chirp = np.sin(2 * np.pi * np.cumsum(f) / rate) + 0.15 * np.sin(
                    4 * np.pi * np.cumsum(f) / rate
                )
                chirp *= np.sin(np.pi * s) ** 2
                add_at(out, pan((chirp * distance).astype(np.float32), position), at)
                at += m + samples(rng.uniform(0.02, 0.07), rate)
            t += rng.uniform(1.5, 6.0) + bird * 0.3
    return (out * _level(-27, layer.intensity, 5)).astype(np.float32)


def insects(rng: Rng, n: int, rate: int, layer: Layer) -> Stereo:
    """Crickets: 4-5 kHz pulse chirps from several insects."""
    out = np.zeros((2, n), np.float32)
    for _ in range(5):
        carrier_hz = rng.uniform(3900, 5200)
        period = rng.uniform(0.45, 0.9)
        position = rng.uniform(-0.9, 0.9)
        gain = rng.uniform(0.25, 1.0)
        pulse_n = samples(0.013, rate)
        tt = np.arange(pulse_n) / rate
        pulse = np.sin(2 * np.pi * carrier_hz * tt) * np.sin(np.pi * tt / tt[-1]) ** 2
        t = rng.uniform(0, period)
        while t * rate < n:
            for p in range(3):
                add_at(
                    out,
                    pan((pulse * gain).astype(np.float32), position),
                    samples(t + p * 0.026, rate),
                )
            t += period * rng.uniform(0.96, 1.04)
    return (out * _level(-26, layer.intensity, 6)).astype(np.float32)


def clock(rng: Rng, n: int, rate: int, layer: Layer) -> Stereo:
    """A tick-tock through wooden resonances, twice a second."""
    out = np.zeros(n, np.float32)
    click_n = samples(0.06, rate)
    for index, t in enumerate(np.arange(0.0, n / rate, 0.5)):
        burst = white(rng, click_n) * decay(click_n, rate, 0.012)
        body = resonate(burst, 2900 if index % 2 == 0 else 2150, 9, rate)
        body += 0.4 * resonate(burst, 5300, 16, rate) + 0.3 * resonate(burst, 900, 5, rate)
        add_at(out, body, samples(t + rng.uniform(-0.002, 0.002), rate))
    peak = float(np.max(np.abs(out))) or 1.0
    return pan(out / peak * _level(-24, layer.intensity, 5), 0.35)


def kettle(rng: Rng, n: int, rate: int, layer: Layer) -> Stereo:
    """A simmer: hiss and rising bubbles (and a whistle when asked)."""
    hiss = bandpass(pink(rng, n), 350, 2600, rate) * (0.7 + 0.3 * drift(rng, n, rate, 0.5))
    bubbles = np.zeros(n, np.float32)
    for at in rng.integers(0, n, int(n / rate * 18 * layer.intensity)):
        m = samples(rng.uniform(0.012, 0.04), rate)
        s = np.linspace(0, 1, m)
        f = rng.uniform(260, 520) * (1 + 1.2 * s)
        bubble = np.sin(2 * np.pi * np.cumsum(f) / rate) * np.sin(np.pi * s)
        add_at(bubbles, (bubble * rng.uniform(0.2, 1.0)).astype(np.float32), int(at))
    mono = hiss * 0.8 + bubbles * 0.25
    if re.search(r"whistl|boil", layer.detail):
        vibrato = 1 + 0.004 * np.sin(2 * np.pi * 5.5 * np.arange(n) / rate)
        whistle = np.sin(2 * np.pi * np.cumsum(1850 * vibrato) / rate) * 0.15
        mono += whistle.astype(np.float32)
    return _rms_to(pan(mono.astype(np.float32), -0.3), _level(-40, layer.intensity, 6))


def fire(rng: Rng, n: int, rate: int, layer: Layer) -> Stereo:
    """A low roar and random crackles."""
    roar = widen(rng, lambda r, m: lowpass(brown(r, m), 300, rate), n, 0.7)
    crackle = np.zeros(n, np.float32)
    count = int(n / rate * 6 * layer.intensity)
    crackle[rng.integers(0, n, count)] = rng.exponential(1.0, count).astype(np.float32) ** 2
    crackle = highpass(resonate(crackle, 2500, 1.5, rate), 1200, rate) * 6
    out = roar * 0.6 + pan(crackle, 0.1)
    return _rms_to(out, _level(-36, layer.intensity, 6))


def engine(rng: Rng, n: int, rate: int, layer: Layer) -> Stereo:
    """A firing pulse train through a hull resonance: idling or straining."""
    strain = bool(re.search(r"strain|roar|rac|rev|full|labou?r|screaming", layer.detail))
    hz = 28.0 if strain else 13.0
    wobble = drift(rng, n, rate, 0.6 if strain else 0.25) * (0.12 if strain else 0.04)
    phase = np.cumsum(hz * (1 + wobble) / rate)
    frac = phase - np.floor(phase)
    jitter = rng.uniform(0.7, 1.3, int(phase[-1]) + 2).astype(np.float32)
    pulses = np.exp(-frac * 14).astype(np.float32) * jitter[phase.astype(int)]
    body = lowpass(pulses, 1400 if strain else 700, rate)
    body = body + 0.8 * resonate(body, 110, 3, rate) + 0.5 * lowpass(brown(rng, n), 180, rate)
    if strain:
        whine = bandpass(white(rng, n), 500, 3000, rate) * 0.25
        body = body + whine + 0.05 * np.sin(2 * np.pi * np.cumsum(hz * 8 * (1 + wobble)) / rate)
    out = np.stack([body, body]).astype(np.float32)
    return _rms_to(out, _level(-24 if strain else -31, layer.intensity, 6))


def radio(rng: Rng, n: int, rate: int, layer: Layer) -> Stereo:
    """Band-limited radio hiss and crackle."""
    hiss = bandpass(white(rng, n), 400, 3400, rate) * (0.8 + 0.2 * drift(rng, n, rate, 1.5))
    crackle = np.zeros(n, np.float32)
    count = int(n / rate * 25)
    crackle[rng.integers(0, n, count)] = rng.standard_normal(count).astype(np.float32) * 3
    crackle = bandpass(crackle, 1000, 4500, rate)
    return _rms_to(pan((hiss + crackle).astype(np.float32), 0.4), _level(-42, layer.intensity, 6))


def traffic(rng: Rng, n: int, rate: int, layer: Layer) -> Stereo:
    """Road rumble and cars passing across the stereo field."""
    out = widen(rng, lambda r, m: lowpass(brown(r, m), 260, rate), n, 0.5) * 1.2
    t = rng.uniform(0, 4)
    while t * rate < n:
        length = rng.uniform(2.5, 6.0)
        m = samples(length, rate)
        swell = hann_swell(m, rng.uniform(0.4, 0.6))
        centre = np.asarray(np.linspace(1400, 600, m) * rng.uniform(0.8, 1.2), np.float32)
        car = sweep_resonate(pink(rng, m), centre, 1.5, rate) * swell * rng.uniform(0.6, 1.4)
        direction = rng.choice([-1.0, 1.0])
        way = np.linspace(-0.9 * direction, 0.9 * direction, m)
        angle = (way + 1) * np.pi / 4
        add_at(
            out,
            np.stack([car * np.cos(angle), car * np.sin(angle)]).astype(np.float32),
            samples(t, rate),
        )
        t += rng.uniform(2.0, 7.0) / max(layer.intensity, 0.3)
    return _rms_to(out, _level(-30, layer.intensity, 6))


def crowd(rng: Rng, n: int, rate: int, layer: Layer) -> Stereo:
    """Murmur: noise through moving vowel formants at syllable rate."""
    out = np.zeros((2, n), np.float32)
    for _ in range(10):
        voice = resonate(pink(rng, n), rng.uniform(350, 750), 4, rate)
        voice += 0.6 * resonate(pink(rng, n), rng.uniform(1100, 2400), 6, rate)
        syllables = np.maximum(0.0, drift(rng, n, rate, rng.uniform(3.5, 6.0), smooth=1)) ** 1.5
        phrases = np.maximum(0.0, 0.3 + drift(rng, n, rate, 0.3))
        add_at(
            out, pan((voice * syllables * phrases).astype(np.float32), rng.uniform(-0.8, 0.8)), 0
        )
    out = np.stack([lowpass(out[0], 3500, rate), lowpass(out[1], 3500, rate)])
    return _rms_to(out, _level(-33, layer.intensity, 6))


def leaves(rng: Rng, n: int, rate: int, layer: Layer) -> Stereo:
    """Wind in trees: bright rustling in gusts."""
    gust = (0.4 + 0.6 * (0.5 + 0.5 * drift(rng, n, rate, 0.2))) ** 2
    out = widen(rng, lambda r, m: bandpass(pink(r, m), 1800, 9000, rate), n, 0.2) * gust
    return _rms_to(out.astype(np.float32), _level(-38, layer.intensity, 7))


def hum(rng: Rng, n: int, rate: int, layer: Layer) -> Stereo:
    """Mains hum and air handling."""
    t = np.arange(n) / rate
    mains = sum(np.sin(2 * np.pi * 50 * h * t) / h**1.5 for h in (1, 2, 3, 4))
    air = widen(rng, lambda r, m: lowpass(pink(r, m), 900, rate), n, 0.5)
    out = air + 0.25 * np.asarray(mains, np.float32)
    return _rms_to(out.astype(np.float32), _level(-47, layer.intensity, 6))


def water(rng: Rng, n: int, rate: int, layer: Layer) -> Stereo:
    """Lapping slaps and trickling water."""
    trickle = bandpass(white(rng, n), 500, 4000, rate)
    trickle *= 0.5 + 0.5 * np.abs(drift(rng, n, rate, 9.0, smooth=0))
    slaps = np.zeros(n, np.float32)
    t = rng.uniform(0, 1)
    while t * rate < n:
        m = samples(0.35, rate)
        slap = lowpass(white(rng, m), 900, rate) * attack_decay(m, rate, 0.03, 0.3)
        add_at(slaps, (slap * rng.uniform(0.5, 1.5)).astype(np.float32), samples(t, rate))
        t += rng.uniform(0.5, 1.6)
    mono = 0.4 * trickle + slaps
    out = np.stack([mono, lowpass(mono, 2500, rate)])
    return _rms_to(out.astype(np.float32), _level(-37, layer.intensity, 6))


def thunder_roll(rng: Rng, n: int, rate: int, layer: Layer) -> Stereo:
    """Distant thunder rolling now and then."""
    out = np.zeros((2, n), np.float32)
    t = rng.uniform(2, 10)
    while t * rate < n:
        m = samples(rng.uniform(4, 7), rate)
        roll = np.abs(drift(rng, m, rate, 3.0, smooth=1)) ** 1.5
        shape = attack_decay(m, rate, rng.uniform(0.2, 0.8), m / rate) * (0.4 + 0.6 * roll)
        body = lowpass(brown(rng, m), rng.uniform(110, 220), rate) * shape
        add_at(out, pan(body.astype(np.float32), rng.uniform(-0.6, 0.6)), samples(t, rate))
        t += rng.uniform(12, 24)
    return (out * _level(-10, layer.intensity, 6) * 3).astype(np.float32)


LAYERS: dict[str, Maker] = {
    "room": room,
    "wind": wind,
    "rain": rain,
    "surf": surf,
    "gulls": gulls,
    "birds": birds,
    "insects": insects,
    "clock": clock,
    "kettle": kettle,
    "fire": fire,
    "engine": engine,
    "radio": radio,
    "traffic": traffic,
    "crowd": crowd,
    "leaves": leaves,
    "hum": hum,
    "water": water,
    "thunder": thunder_roll,
}


def render_bed(layers: list[Layer], *, seconds: float, rate: int, seed: int) -> Stereo:
    """The bed's layers summed, `seconds` long (not yet looped)."""
    n = samples(seconds, rate)
    out = np.zeros((2, n), np.float32)
    for index, layer in enumerate(layers):
        rng = generator(seed, "bed", layer.kind, index)
        sound = LAYERS[layer.kind](rng, n, rate, layer)
        if re.search(OUTSIDE, layer.detail):  # heard through walls: muffled and lower
            sound = lowpass(sound, 650, rate, order=4) * _level(-3, 1.0)
        out += sound
    if "room" not in {layer.kind for layer in layers}:
        out += room(generator(seed, "bed", "air"), n, rate, Layer("room", 0.6))
    return out
