"""Synthetic multichannel sensor sequences of a motor-driven centrifugal pump.

Used to train sensor_lstm (anomaly score) and sensor_transformer (fault class). Documented in
tools/zoo/README.md. A sequence is 100 steps at 1 Hz of 6 channels (CHANNELS, physical units).

Physics: the speed follows a set-point profile through a first-order drive lag; flow, head and
shaft power follow the pump affinity laws (Q ~ n, H ~ n^2, P ~ n^3) against a system resistance;
motor current follows shaft power over efficiency; winding temperature is a first-order thermal
model driven by copper losses (I^2 R); vibration velocity RMS grows with speed^2 (residual
imbalance). Each channel has sensor noise. Faults start at a random onset and develop:
  cavitation        flow and pressure drop and fluctuate, broadband vibration bursts
  bearing_wear      vibration grows exponentially, friction heat, slight current rise
  cooling_failure   thermal resistance rises: temperature climbs to a higher equilibrium
  clogging          system resistance rises: flow falls, pressure rises, current falls
"""

import numpy as np

STEPS = 100
CHANNELS = ["speed_rpm", "flow_m3h", "pressure_bar", "current_a", "temperature_c",
            "vibration_mm_s"]
FAULTS = ["normal", "cavitation", "bearing_wear", "cooling_failure", "clogging"]

N_RATED = 2950.0  # rpm
Q_RATED = 60.0  # m3/h
P_RATED = 4.0  # bar at rated speed on the design system curve
I_NOLOAD, I_RATED = 6.0, 24.0  # A


def Simulate(rng, fault="normal", steps=STEPS):
    """Returns (sequence [steps, 6] float32, info dict)."""
    dt = 1.0
    # Speed set-point profile: 1..3 changes, drive lag tau 3 s.
    levels = rng.uniform(1400.0, 2950.0, size=rng.integers(2, 5))
    switch = np.sort(rng.integers(5, steps - 5, size=len(levels) - 1))
    setpoint = np.repeat(levels, np.diff(np.concatenate([[0], switch, [steps]])))
    speed = np.empty(steps)
    n = setpoint[0]
    for k in range(steps):
        n += (setpoint[k] - n) * (1 - np.exp(-dt / 3.0))
        speed[k] = n
    s = speed / N_RATED

    onset = rng.integers(15, 70)
    severity = rng.uniform(0.25, 1.0)
    k = np.arange(steps)
    after = np.clip((k - onset) / rng.uniform(5.0, 25.0), 0.0, 1.0)  # development ramp 0..1
    after = np.where(k >= onset, after, 0.0)
    active = fault != "normal"

    resistance = rng.uniform(0.85, 1.15) * np.ones(steps)  # system curve coefficient
    if fault == "clogging":
        resistance *= 1.0 + 1.2 * severity * after
    flow = Q_RATED * s / np.sqrt(resistance)
    pressure = P_RATED * s ** 2 * (0.75 + 0.25 * resistance) / (0.75 + 0.25)
    hydraulic_eff = rng.uniform(0.65, 0.78)

    vib0 = rng.uniform(0.8, 2.2)  # mm/s at rated speed
    vibration = vib0 * s ** 2
    if fault == "cavitation":
        drop = 0.25 * severity * after
        flow = flow * (1 - drop * (0.7 + 0.3 * rng.random(steps)))
        pressure = pressure * (1 - drop * (0.6 + 0.8 * rng.random(steps)))
        vibration = vibration + 3.0 * severity * after * rng.gamma(2.0, 0.5, size=steps)
    if fault == "bearing_wear":
        growth = np.where(k >= onset, np.expm1((k - onset) / rng.uniform(12.0, 30.0)), 0.0)
        vibration = vibration * (1 + 0.35 * severity * np.minimum(growth, 12.0))

    power = (flow / 3600.0) * (pressure * 1e5) / hydraulic_eff / 1000.0  # kW shaft
    p_rated = (Q_RATED / 3600.0) * (P_RATED * 1e5) / 0.72 / 1000.0
    current = I_NOLOAD + (I_RATED - I_NOLOAD) * power / p_rated
    friction = np.zeros(steps)
    if fault == "bearing_wear":
        current = current * (1 + 0.04 * severity * after)
        friction = 8.0 * severity * after

    ambient = rng.uniform(15.0, 35.0)
    r_th = rng.uniform(0.09, 0.11) * np.ones(steps)  # K per A^2 * (1/I_RATED) scaling below
    if fault == "cooling_failure":
        r_th *= 1.0 + 1.0 * severity * after
    tau = rng.uniform(25.0, 45.0)
    temp = np.empty(steps)
    rise0 = r_th[0] * current[0] ** 2 * (40.0 / (0.1 * I_RATED ** 2))
    t_wind = ambient + rise0 * rng.uniform(0.9, 1.1)
    for i in range(steps):
        target = ambient + r_th[i] * current[i] ** 2 * (40.0 / (0.1 * I_RATED ** 2)) + friction[i]
        t_wind += (target - t_wind) * (1 - np.exp(-dt / tau))
        temp[i] = t_wind

    seq = np.stack([speed, flow, pressure, current, temp, vibration], axis=1)
    noise = np.array([4.0, 0.6, 0.03, 0.15, 0.2, 0.08])
    seq = seq + noise * rng.normal(0, 1, size=seq.shape)
    seq[:, 5] = np.abs(seq[:, 5])
    info = {"fault": fault, "onset": int(onset) if active else None, "severity": severity}
    return seq.astype(np.float32), info


def FaultDataset(n, seed):
    """n sequences [n, 100, 6] and labels (index into FAULTS), classes balanced."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % len(FAULTS)
    rng.shuffle(labels)
    x = np.stack([Simulate(rng, FAULTS[c])[0] for c in labels])
    return x, labels.astype(np.int64)


def AnomalyDataset(n, seed):
    """n sequences and binary labels (1 = any fault); half normal, faults equally split."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 8  # 0..3 normal, 4..7 one fault each
    rng.shuffle(labels)
    kinds = [0 if c < 4 else c - 3 for c in labels]
    x = np.stack([Simulate(rng, FAULTS[c])[0] for c in kinds])
    return x, (labels >= 4).astype(np.int64)
