"""Kristeková time–frequency misfits and GOF against ObsPy's reference implementation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from obspy.signal import tf_misfit as obspy_tf

from seismoalice.errors import DataError
from seismoalice.metrics.tf_misfit import cwt_morlet, morlet_frequencies, tf_gof

AT2_DIR = Path(__file__).parent / "data" / "at2"


def read_at2(path: Path) -> tuple[np.ndarray, float]:
    """Minimal PEER AT2 parser for the fixture (4 header lines, NPTS/DT on line 4) [g], [s]."""
    lines = path.read_text().splitlines()
    header = lines[3].replace(",", " ").split()
    npts = int(header[header.index("NPTS=") + 1])
    dt = float(header[header.index("DT=") + 1])
    values = np.array(" ".join(lines[4:]).split(), dtype=float)
    assert values.size == npts
    return values, dt


def rel_err(ours: np.ndarray, ref: np.ndarray) -> float:
    ref = np.asarray(ref)
    return float(np.max(np.abs(np.asarray(ours) - ref)) / np.max(np.abs(ref)))


def rel_err_each(ours: np.ndarray, ref: np.ndarray) -> float:
    ref = np.asarray(ref)
    return float(np.max(np.abs(np.asarray(ours) - ref) / np.abs(ref)))


@settings(max_examples=12, deadline=None)
@given(
    n=st.integers(16, 400),
    dt=st.sampled_from([0.005, 0.01, 0.02]),
    fmin=st.floats(0.05, 2.0),
    ratio=st.floats(1.0, 40.0),
    nf=st.integers(1, 24),
    w0=st.sampled_from([3.0, 6.0, 8.0]),
    seed=st.integers(0, 2**31 - 1),
)
def test_cwt_matches_obspy(n, dt, fmin, ratio, nf, w0, seed):
    fmax = min(fmin * ratio, 0.5 / dt)
    x = np.random.default_rng(seed).standard_normal((2, 2, n))
    ours = cwt_morlet(x, dt, fmin, fmax, nf, w0)
    assert ours.shape == (2, 2, nf, n)
    for i in range(2):
        for c in range(2):
            ref = obspy_tf.cwt(x[i, c], dt, w0, fmin, fmax, nf)
            assert rel_err(ours[i, c], ref) < 1e-9


def test_frequencies_are_obspy_logspace():
    f = morlet_frequencies(0.1, 30.0, 100)
    assert f[0] == pytest.approx(0.1) and f[-1] == pytest.approx(30.0)
    assert np.allclose(np.diff(np.log(f)), np.log(300) / 99)


COMBOS = [
    dict(fmin=0.5, fmax=20.0, nf=40, w0=6, norm="global", st2_isref=True, a=10.0, k=1.0),
    dict(fmin=0.5, fmax=20.0, nf=40, w0=6, norm="local", st2_isref=True, a=10.0, k=1.0),
    dict(fmin=1.0, fmax=10.0, nf=25, w0=4, norm="global", st2_isref=False, a=5.0, k=2.0),
    dict(fmin=0.2, fmax=45.0, nf=60, w0=8, norm="local", st2_isref=False, a=10.0, k=0.5),
    dict(fmin=2.0, fmax=2.0, nf=1, w0=6, norm="global", st2_isref=True, a=1.0, k=1.0),
]


@pytest.mark.parametrize("combo", COMBOS)
def test_tf_gof_matches_obspy_on_random_pairs(combo):
    rng = np.random.default_rng(7)
    st1 = rng.standard_normal((3, 3, 513))
    st2 = rng.standard_normal((3, 3, 513))
    st1[1] *= 4.0  # makes st1 the larger signal: ObsPy's reference switches when not st2_isref
    st2[2, 1] *= 0.1  # components of very different size: global and local norms differ
    dt = 0.01
    single = tf_gof(st1, st2, dt, **combo)
    double = tf_gof(st1, st2, dt, precision="double", **combo)
    misfit_kw = {key: combo[key] for key in ("fmin", "fmax", "nf", "w0", "norm", "st2_isref")}
    for i in range(st1.shape[0]):
        ref = {
            "em": obspy_tf.em(st1[i], st2[i], dt=dt, **misfit_kw),
            "pm": obspy_tf.pm(st1[i], st2[i], dt=dt, **misfit_kw),
        }
        ref["eg"] = obspy_tf.eg(st1[i], st2[i], dt=dt, **combo)
        ref["pg"] = obspy_tf.pg(st1[i], st2[i], dt=dt, **combo)
        for key, value in ref.items():
            assert single[key].shape == double[key].shape == (3, 3)
            assert rel_err_each(single[key][i], value) < 1e-6, key
            assert rel_err_each(double[key][i], value) < 1e-9, key


@pytest.mark.parametrize("norm", ["global", "local"])
@pytest.mark.parametrize("st2_isref", [True, False])
def test_tf_maps_match_obspy(norm, st2_isref):
    rng = np.random.default_rng(3)
    st1 = 2.0 * rng.standard_normal((2, 300))
    st2 = rng.standard_normal((2, 300))
    kw = dict(dt=0.02, fmin=0.5, fmax=12.0, nf=20, w0=6, norm=norm, st2_isref=st2_isref)
    ours = tf_gof(st1, st2, return_maps=True, precision="double", **kw)
    assert ours["tfem"].shape == (2, 20, 300)
    assert rel_err(ours["tfem"], obspy_tf.tfem(st1, st2, **kw)) < 1e-9
    assert rel_err(ours["tfpm"], obspy_tf.tfpm(st1, st2, **kw)) < 1e-9
    assert np.allclose(ours["frequencies"], morlet_frequencies(0.5, 12.0, 20))


@pytest.fixture(scope="module")
def gilroy() -> tuple[np.ndarray, float]:
    """Two horizontal components of a real record (Loma Prieta 1989, Gilroy), (2, T) in g."""
    h1, dt = read_at2(AT2_DIR / "RSN763_LOMAP_GIL067.AT2")
    h2, dt2 = read_at2(AT2_DIR / "RSN763_LOMAP_GIL337.AT2")
    assert dt == dt2
    return np.stack([h1, h2]), dt


@pytest.mark.parametrize("precision", ["double", "single"])
def test_tf_gof_matches_obspy_on_real_record(gilroy, precision):
    record, dt = gilroy
    swapped = record[::-1].copy()  # compare each horizontal component with the other one
    kw = dict(dt=dt, fmin=0.1, fmax=30.0, nf=30, w0=6, norm="global", st2_isref=True)
    ours = tf_gof(swapped, record, precision=precision, **kw)
    for key, func in (("em", obspy_tf.em), ("pm", obspy_tf.pm)):
        ref = func(swapped, record, **kw)
        assert rel_err_each(ours[key], ref) < 1e-6, key
    ref_eg = 10.0 * np.exp(-obspy_tf.em(swapped, record, **kw))
    assert rel_err_each(ours["eg"], ref_eg) < 1e-6


def test_single_component_and_batch_shapes_agree():
    rng = np.random.default_rng(11)
    st1 = rng.standard_normal((4, 2, 256))
    st2 = rng.standard_normal((4, 2, 256))
    kw = dict(dt=0.01, fmin=1.0, fmax=20.0, nf=16, norm="local")
    batch = tf_gof(st1, st2, **kw)
    one = tf_gof(st1[1], st2[1], **kw)
    scalar = tf_gof(st1[1, 0], st2[1, 0], **kw)
    assert one["em"].shape == (2,) and scalar["em"].shape == ()
    for key in ("em", "pm", "eg", "pg"):
        assert np.allclose(batch[key][1], one[key], rtol=1e-12)
        assert np.isclose(batch[key][1, 0], scalar[key], rtol=1e-12)
    ref = obspy_tf.em(st1[1, 0], st2[1, 0], dt=0.01, fmin=1.0, fmax=20.0, nf=16)
    assert np.isclose(scalar["em"], ref, rtol=1e-6, atol=0.0)


def test_torch_input():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    st1, st2 = rng.standard_normal((2, 1, 3, 200))
    kw = dict(dt=0.01, fmin=1.0, fmax=10.0, nf=10)
    ours = tf_gof(torch.from_numpy(st1), torch.from_numpy(st2), **kw)
    assert np.allclose(ours["pm"], tf_gof(st1, st2, **kw)["pm"], rtol=1e-12)


@settings(max_examples=15, deadline=None)
@given(scale=st.floats(0.05, 20.0), seed=st.integers(0, 2**31 - 1))
def test_gof_identities(scale, seed):
    """Kristeková (2009): x vs x → 10; k·x vs x → EM = |k − 1|, PM = 0; −x vs x → PM = 1."""
    x = np.random.default_rng(seed).standard_normal((2, 3, 200))
    kw = dict(dt=0.01, fmin=0.5, fmax=20.0, nf=12, precision="double")
    same = tf_gof(x, x, **kw)
    assert np.allclose(same["eg"], 10.0) and np.allclose(same["pg"], 10.0)
    scaled = tf_gof(scale * x, x, norm="local", **kw)
    assert np.allclose(scaled["em"], abs(scale - 1.0), rtol=1e-9, atol=1e-12)
    assert np.allclose(scaled["pm"], 0.0, atol=1e-7)
    flipped = tf_gof(-x, x, norm="local", **kw)
    assert np.allclose(flipped["pm"], 1.0, rtol=1e-9)
    assert np.allclose(flipped["pg"], 0.0, atol=1e-8)
    assert np.allclose(flipped["em"], 0.0, atol=1e-12)


def test_shift_lowers_phase_gof():
    t = np.arange(1000) * 0.01
    x = np.sin(2 * np.pi * 2.0 * t) * np.exp(-(((t - 5.0) / 1.0) ** 2))
    shifted = np.roll(x, 5)
    res = tf_gof(np.stack([x, shifted]), np.stack([x, x]), 0.01, 0.5, 10.0, 20, norm="local")
    assert res["pg"][0] == pytest.approx(10.0)
    assert res["pg"][1] < 9.0
    assert res["eg"][1] > res["pg"][1]  # a pure shift hurts phase far more than envelope


def test_bad_input():
    x = np.ones((2, 100))
    with pytest.raises(DataError, match="same shape"):
        tf_gof(x, np.ones((2, 99)), 0.01, 1.0, 10.0)
    with pytest.raises(DataError, match="no energy"):
        tf_gof(x, np.zeros((2, 100)), 0.01, 1.0, 10.0)
    with pytest.raises(DataError, match="norm"):
        tf_gof(x, x, 0.01, 1.0, 10.0, norm="peak")
    with pytest.raises(DataError, match="fmin"):
        tf_gof(x, x, 0.01, 10.0, 1.0)
    with pytest.raises(DataError, match="dt"):
        cwt_morlet(x, -0.01, 1.0, 10.0)
    with pytest.raises(DataError, match="non-finite"):
        cwt_morlet(np.array([1.0, np.nan]), 0.01, 1.0, 10.0)
