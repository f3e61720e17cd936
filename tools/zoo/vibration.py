"""Synthetic, physically modelled vibration of a rotating machine on rolling-element bearings.

Used to train sensor_mlp (machine state from 64 features) and vibration_cnn1d (bearing condition
from raw 3-axis accelerometer windows). The model is documented in tools/zoo/README.md. Every
function takes a numpy Generator, so a split is fully determined by its seed.

Signal of one sample, per axis (x, y radial with y vertical, z axial), in g:
  shaft:      1x (imbalance, amplitude ~ speed^2), 2x/3x (misalignment, looseness);
              x/y form an orbit
  motor:      electromagnetic tone at twice the line frequency, scaled by load
  bearing:    impacts at the fault frequency (BPFO/BPFI/2*BSF) with slip jitter, amplitude set by
              the Stribeck load zone (inner race: modulated at 1x; ball: at FTF), each ringing the
              structure's resonance (damped sinusoid, per-axis natural frequency), plus low-level
              tones at the fault frequency and its harmonics
  roughness:  Poisson asperity impacts and resonant broadband noise (raised by poor lubrication)
  sensor:     DC-coupled MEMS: +1 g gravity on y, bias, white noise, +-8 g clipping, 16-bit ADC
"""

import numpy as np

FS = 4096.0  # Hz, accelerometer sample rate
LINE_HZ = 50.0
G_RANGE = 8.0
ADC_LSB = 2 * G_RANGE / 65536.0

# name: (number of rolling elements, ball diameter mm, pitch diameter mm, contact angle deg)
BEARINGS = {
    "SKF 6205": (9, 7.94, 39.04, 0.0),
    "SKF 6203": (8, 6.75, 28.50, 0.0),
    "Rexnord ZA-2115": (16, 8.41, 71.50, 15.17),
}

BEARING_CONDITIONS = ["healthy", "outer_race", "inner_race", "ball", "lubrication"]
MACHINE_STATES = ["normal", "imbalance", "misalignment", "bearing_fault"]


def FaultFrequencies(bearing, fr):
    """Returns dict FTF, BPFO, BPFI, BSF (Hz) for shaft frequency fr (Hz)."""
    n, bd, pd, angle = BEARINGS[bearing]
    r = bd / pd * np.cos(np.deg2rad(angle))
    return {
        "FTF": fr / 2 * (1 - r),
        "BPFO": n * fr / 2 * (1 - r),
        "BPFI": n * fr / 2 * (1 + r),
        "BSF": pd / (2 * bd) * fr * (1 - r * r),
    }


def _ImpulseResponse(fn, zeta, fs):
    """Unit-peak damped sinusoid of a single-degree-of-freedom structural resonance."""
    wn = 2 * np.pi * fn
    n = int(np.ceil(8.0 / (zeta * wn) * fs))
    t = np.arange(n) / fs
    h = np.exp(-zeta * wn * t) * np.sin(wn * np.sqrt(1 - zeta * zeta) * t)
    return h / np.max(np.abs(h))


def _Place(times, amps, t0, length, fs):
    """Impulse train on the sample grid; fractional delays split linearly between neighbours."""
    train = np.zeros(length + 2)
    pos = (times - t0) * fs
    keep = (pos >= 0) & (pos < length)
    pos, amps = pos[keep], amps[keep]
    i = np.floor(pos).astype(np.int64)
    frac = pos - i
    np.add.at(train, i, amps * (1 - frac))
    np.add.at(train, i + 1, amps * frac)
    return train[:length]


def _LoadZone(psi):
    """Stribeck load distribution (load factor 0.5): cos^1.5 in the zone, small floor outside."""
    return np.maximum(np.cos(psi), 0.0) ** 1.5 + 0.08


def Simulate(rng, length, bearing_condition="healthy", machine_state="normal", fs=FS,
             severity=None):
    """Returns (signal [3, length] float32 in g, info dict)."""
    margin = 0.05  # s of history so impacts ringing into the window are present
    t0 = rng.uniform(0.0, 10.0)
    t = t0 + np.arange(length) / fs
    fr = rng.uniform(15.0, 40.0)  # shaft, Hz (900..2400 rpm)
    load = rng.uniform(0.2, 1.0)
    bearing = list(BEARINGS)[rng.integers(len(BEARINGS))]
    ff = FaultFrequencies(bearing, fr)
    # slow speed fluctuation: theta(t) = 2 pi fr (t + d/(2 pi fm) sin(2 pi fm t))
    fm, depth = rng.uniform(0.2, 1.0), rng.uniform(0.0, 0.004)

    def Theta(tt):
        return 2 * np.pi * fr * (tt + depth / (2 * np.pi * fm) * np.sin(2 * np.pi * fm * tt))

    theta = Theta(t)
    sig = np.zeros((3, length))

    # Shaft harmonics. Residual imbalance always present; states raise 1x / 2x.
    a1 = rng.uniform(0.01, 0.05) * (fr / 25.0) ** 2
    a2 = a1 * rng.uniform(0.1, 0.4)
    a3 = a1 * rng.uniform(0.02, 0.12)
    axial = rng.uniform(0.1, 0.3)
    if machine_state == "imbalance":
        a1 *= rng.uniform(2.5, 6.0)
    elif machine_state == "misalignment":
        a2 = a1 * rng.uniform(1.0, 3.0)
        a1 *= rng.uniform(1.0, 1.8)
        axial = rng.uniform(0.6, 1.2)
    for k, a in ((1, a1), (2, a2), (3, a3)):
        ph = rng.uniform(0, 2 * np.pi)
        sig[0] += a * np.cos(k * theta + ph)
        sig[1] += a * rng.uniform(0.7, 1.0) * np.sin(k * theta + ph)
        sig[2] += a * axial * np.cos(k * theta + rng.uniform(0, 2 * np.pi))

    # Motor electromagnetic force at twice line frequency.
    em = rng.uniform(0.002, 0.01) * (0.5 + load)
    for axis in range(3):
        sig[axis] += em * rng.uniform(0.3, 1.0) * np.sin(2 * np.pi * 2 * LINE_HZ * t +
                                                       rng.uniform(0, 2 * np.pi))

    # Structure: one resonance per axis.
    fn = rng.uniform(900.0, 1500.0)
    zeta = rng.uniform(0.03, 0.08)
    responses = [_ImpulseResponse(fn * rng.uniform(0.9, 1.1), zeta, fs) for _ in range(3)]
    gains = np.zeros((3, 0))
    impact_times = np.zeros(0)
    impact_amps = np.zeros(0)

    if machine_state == "bearing_fault" and bearing_condition == "healthy":
        bearing_condition = ["outer_race", "inner_race", "ball"][rng.integers(3)]
    if severity is None:
        severity = np.exp(rng.uniform(np.log(0.08), np.log(1.5)))  # peak g at full load
    scale = severity * (0.5 + load) / 1.5
    fault_hz = {"outer_race": ff["BPFO"], "inner_race": ff["BPFI"], "ball": 2 * ff["BSF"]}
    if bearing_condition in fault_hz:
        f = fault_hz[bearing_condition]
        start = t[0] - margin - rng.uniform(0, 1 / f)
        k = np.arange(int((t[-1] - start) * f) + 2)
        slip = rng.uniform(0.005, 0.02)
        times = start + k / f + rng.normal(0, slip / f, size=k.shape)
        amps = scale * rng.uniform(0.85, 1.15, size=k.shape)
        if bearing_condition == "outer_race":
            # Defect fixed at the bottom of the load zone: seen mostly by the vertical axis.
            g = np.array([0.35, 1.0, 0.15])[:, None] * np.ones((1, len(times)))
        elif bearing_condition == "inner_race":
            psi = Theta(times) + rng.uniform(0, 2 * np.pi)  # defect rotates with the shaft
            amps = amps * _LoadZone(psi)
            g = np.stack([np.abs(np.sin(psi)) + 0.2, np.abs(np.cos(psi)) + 0.2,
                          0.15 * np.ones_like(psi)])
        else:  # ball: carried by the cage through the load zone at FTF, spin hits both races
            psi = 2 * np.pi * ff["FTF"] * times + rng.uniform(0, 2 * np.pi)
            amps = amps * _LoadZone(psi) * np.where(k % 2 == 0, 1.0, 0.6)
            g = np.stack([np.abs(np.sin(psi)) + 0.3, np.abs(np.cos(psi)) + 0.3,
                          0.2 * np.ones_like(psi)])
        impact_times, impact_amps, gains = times, amps, g
        # Low-frequency lines at the fault frequency and its harmonics.
        for h in (1, 2, 3):
            a = scale * 0.04 / h
            ph = rng.uniform(0, 2 * np.pi)
            sig[0] += 0.4 * a * np.sin(2 * np.pi * h * f * t + ph)
            sig[1] += a * np.sin(2 * np.pi * h * f * t + ph)

    # Roughness: asperity impacts (Poisson) and resonant broadband noise.
    rate, rough, broadband = 40.0, 0.03, 0.01
    if bearing_condition == "lubrication":
        rate = rng.uniform(300.0, 900.0)
        rough = 0.12 * severity * (0.5 + load)
        broadband = 0.05 * severity * (0.5 + load)
    n_rough = rng.poisson(rate * (length / fs + margin))
    rt = t[0] - margin + rng.uniform(0, length / fs + margin, size=n_rough)
    ra = rough * rng.exponential(1.0, size=n_rough) * rng.choice([-1.0, 1.0], size=n_rough)
    rg = np.abs(rng.normal(0.6, 0.3, size=(3, n_rough))) * np.array([[1.0], [1.0], [0.4]])
    all_times = np.concatenate([impact_times, rt])
    all_amps = np.concatenate([impact_amps, ra])
    all_gains = np.concatenate([gains, rg], axis=1)

    pad = int(margin * fs)
    for axis in range(3):
        train = _Place(all_times, all_amps * all_gains[axis], t[0] - margin, length + pad, fs)
        train += broadband * rng.normal(0, 1, size=length + pad) / np.sqrt(fs / 1000.0)
        sig[axis] += np.convolve(train, responses[axis])[pad:pad + length]

    # Sensor: gravity on y, bias, noise, clipping, quantisation.
    sig[1] += 1.0
    sig += rng.normal(0, 0.01, size=(3, 1))
    sig += rng.uniform(0.003, 0.015) * rng.normal(0, 1, size=sig.shape)
    sig = np.clip(sig, -G_RANGE, G_RANGE - ADC_LSB)
    sig = np.round(sig / ADC_LSB) * ADC_LSB
    info = {"fr": fr, "load": load, "bearing": bearing, "severity": severity,
            "bearing_condition": bearing_condition, "machine_state": machine_state, **ff}
    return sig.astype(np.float32), info


def _Envelope(x, fs, lo=700.0, hi=1800.0):
    """Envelope of the resonance band: band-limited analytic signal magnitude."""
    n = x.shape[-1]
    spec = np.fft.fft(x)
    f = np.fft.fftfreq(n, 1 / fs)
    spec[..., (f < lo) | (f > hi)] = 0  # keeps positive band only -> analytic signal
    return 2 * np.abs(np.fft.ifft(spec))


def _LineAmplitude(spec, freqs, f0):
    """Peak amplitude within +-1.5 bins of f0 in a one-sided amplitude spectrum."""
    df = freqs[1] - freqs[0]
    sel = np.abs(freqs - f0) <= 1.5 * df
    return float(spec[sel].max()) if np.any(sel) else 0.0


FEATURE_NAMES = (["shaft_hz"] +
                 ["%s_%s" % (a, s) for a in "xyz" for s in
                  ("rms", "peak", "crest", "kurtosis", "skewness", "shape", "impulse", "env_rms")] +
                 ["%s_order%d" % (a, k) for a in "xyz" for k in (1, 2, 3)] +
                 ["env_" + n for n in ("FTF", "BPFO", "BPFI", "2BSF", "2BPFO", "2BPFI")] +
                 ["y_band%02d_log" % b for b in range(24)])
assert len(FEATURE_NAMES) == 64


def Features(sig, info, fs=FS):
    """The 64 features of sensor_mlp (FEATURE_NAMES) from one [3, n] window."""
    n = sig.shape[1]
    x = sig - sig.mean(axis=1, keepdims=True)
    out = [info["fr"]]
    env = _Envelope(x, fs)
    for a in range(3):
        v = x[a]
        rms = np.sqrt(np.mean(v * v)) + 1e-12
        mabs = np.mean(np.abs(v)) + 1e-12
        peak = np.max(np.abs(v))
        out += [rms, peak, peak / rms, np.mean(v ** 4) / rms ** 4, np.mean(v ** 3) / rms ** 3,
                rms / mabs, peak / mabs, np.sqrt(np.mean(env[a] ** 2))]
    win = np.hanning(n)
    freqs = np.fft.rfftfreq(n, 1 / fs)
    amp = 2 * np.abs(np.fft.rfft(x * win, axis=1)) / win.sum()
    for a in range(3):
        for k in (1, 2, 3):
            out.append(_LineAmplitude(amp[a], freqs, k * info["fr"]))
    e = env[1] - env[1].mean()
    eamp = 2 * np.abs(np.fft.rfft(e * win)) / win.sum()
    for f0 in (info["FTF"], info["BPFO"], info["BPFI"], 2 * info["BSF"], 2 * info["BPFO"],
               2 * info["BPFI"]):
        out.append(_LineAmplitude(eamp, freqs, f0))
    power = np.abs(np.fft.rfft(x[1])) ** 2 / n
    edges = np.linspace(0, len(power), 25).astype(int)
    for b in range(24):
        out.append(np.log10(power[edges[b]:edges[b + 1]].sum() + 1e-9))
    return np.asarray(out, dtype=np.float32)


def BearingDataset(n, seed, length=256):
    """n windows [n, 3, length] and labels (index into BEARING_CONDITIONS), classes balanced."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % len(BEARING_CONDITIONS)
    rng.shuffle(labels)
    x = np.stack([Simulate(rng, length, BEARING_CONDITIONS[c])[0] for c in labels])
    return x, labels.astype(np.int64)


def MachineStateDataset(n, seed, length=4096):
    """n feature vectors [n, 64] and labels (index into MACHINE_STATES), classes balanced."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % len(MACHINE_STATES)
    rng.shuffle(labels)
    feats = []
    for c in labels:
        sig, info = Simulate(rng, length, machine_state=MACHINE_STATES[c])
        feats.append(Features(sig, info))
    return np.stack(feats), labels.astype(np.int64)
