"""Evaluation of record pairs against analytic identities (seismoalice.evaluation.compute).

References: a record against itself scores perfectly (residuals 0, EG = PG = 10, Anderson 10);
scaling a record by k scales every linear measure by k, so ln residuals are −ln k exactly, EM =
|k − 1| and PM = 0 (Kristeková et al. 2009), Anderson C5–C9 = 10·exp(−(k − 1)²) and C3, C4 =
10·exp(−(k² − 1)²) (metrics.md §6); per-record factors e^{c_i} give residuals −c_i whose mean,
standard deviation and Student-t band are computed here with NumPy/SciPy.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from seismoalice.data.filters import bandpass
from seismoalice.errors import ConfigError, DataError
from seismoalice.evaluation.compute import EvaluationConfig, evaluate_pairs
from seismoalice.io_utils import write_json

DT = 0.01
CONFIG = EvaluationConfig(
    periods=tuple(np.geomspace(0.02, 3.0, 16)), n_frequencies=24, tf_nf=16, n_examples=1
)
LINEAR = ("psa", "psa_rotd50", "fas", "eas", "pga", "pgv", "pgd", "cav")


def broadband(n: int, length: int = 1024, seed: int = 0) -> np.ndarray:
    """Enveloped band-limited (0.2–25 Hz) Gaussian noise, (n, 3, length) [m/s²]."""
    rng = np.random.default_rng(seed)
    t = np.arange(length) * DT
    envelope = (t / 2.0) ** 2 * np.exp(-t / 2.0)
    return bandpass(rng.normal(size=(n, 3, length)) * envelope, 1 / DT, 0.2, 25.0)


@pytest.fixture(scope="module")
def ref() -> np.ndarray:
    return broadband(3)


@pytest.fixture(scope="module")
def identical(ref):
    return evaluate_pairs(ref.copy(), ref, DT, config=CONFIG)


def test_identical_records_score_perfectly(identical):
    for key in (*LINEAR, "arias"):
        np.testing.assert_array_equal(identical.residuals[key], 0.0)
    s = identical.summary
    np.testing.assert_array_equal(s["psa"]["rotd50"]["bias"], 0.0)
    np.testing.assert_array_equal(s["psa"]["rotd50"]["sigma"], 0.0)
    np.testing.assert_allclose(identical.gof["eg"], 10.0)
    np.testing.assert_allclose(identical.gof["pg"], 10.0)
    np.testing.assert_allclose(identical.gof["anderson"], 10.0)
    np.testing.assert_allclose(identical.gof["anderson_score"], 10.0)
    assert s["duration_ratio"] == {"d5_75": 1.0, "d5_95": 1.0}
    assert s["anderson"]["bands"] == {"excellent": 3, "good": 0, "fair": 0, "poor": 0}
    assert s["tf_gof"]["eg"]["median"] == pytest.approx(10.0)


def test_doubled_prediction_has_bias_minus_ln2(ref):
    result = evaluate_pairs(2.0 * ref, ref, DT, config=CONFIG)
    for key in LINEAR:
        np.testing.assert_allclose(result.residuals[key], -np.log(2.0), atol=1e-10)
    np.testing.assert_allclose(result.residuals["arias"], -np.log(4.0), atol=1e-10)
    s = result.summary
    for component in ("Z", "N", "E", "rotd50"):
        np.testing.assert_allclose(s["psa"][component]["bias"], -np.log(2.0), atol=1e-10)
        np.testing.assert_allclose(s["psa"][component]["sigma"], 0.0, atol=1e-10)
    np.testing.assert_allclose(s["eas"]["bias"], -np.log(2.0), atol=1e-10)
    assert s["scalars"]["pga"]["horizontal"]["bias"] == pytest.approx(-np.log(2.0))
    for band in s["psa_bands"]:
        assert band["bias"] == pytest.approx(-np.log(2.0))
    # global norm: EM = |k − 1| on the component with the largest reference norm, less elsewhere
    np.testing.assert_allclose(result.gof["em"].max(axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(result.gof["eg"], 10.0 * np.exp(-result.gof["em"]), atol=1e-6)
    np.testing.assert_allclose(result.gof["pg"], 10.0, atol=1e-6)
    criteria = result.gof["anderson"]
    np.testing.assert_allclose(criteria[:, [0, 1, 9]], 10.0, atol=1e-6)  # C1, C2, C10
    np.testing.assert_allclose(criteria[:, [2, 3]], 10.0 * np.exp(-9.0), atol=1e-6)
    np.testing.assert_allclose(criteria[:, 4:9], 10.0 * np.exp(-1.0), atol=1e-6)


def test_residual_statistics_match_student_t(ref):
    c = np.array([0.3, -0.1, 0.5])
    result = evaluate_pairs(ref * np.exp(c)[:, None, None], ref, DT, config=CONFIG)
    n, bias, sigma = len(c), -c.mean(), c.std(ddof=1)
    half = stats.t.ppf(0.95, n - 1) * sigma / np.sqrt(n)
    rotd = result.summary["psa"]["rotd50"]
    np.testing.assert_allclose(rotd["bias"], bias, atol=1e-10)
    np.testing.assert_allclose(rotd["sigma"], sigma, atol=1e-10)
    np.testing.assert_allclose(rotd["sigma0"], np.sqrt(np.mean(c**2)), atol=1e-10)
    np.testing.assert_allclose(rotd["ci90_low"], bias - half, atol=1e-10)
    np.testing.assert_allclose(rotd["ci90_high"], bias + half, atol=1e-10)
    np.testing.assert_array_equal(rotd["n"], n)
    pga = result.summary["scalars"]["pga"]["horizontal"]
    assert pga["sigma"] == pytest.approx(np.repeat(c, 2).std(ddof=1))


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(k=st.floats(0.2, 5.0))
def test_scaling_invariants(ref, k):
    result = evaluate_pairs(k * ref[:1], ref[:1], DT, config=CONFIG)
    np.testing.assert_allclose(result.residuals["psa"], -np.log(k), atol=1e-6)
    np.testing.assert_allclose(result.gof["em"].max(axis=1), abs(k - 1.0), atol=1e-6)
    np.testing.assert_allclose(result.gof["pg"], 10.0, atol=1e-6)
    assert result.summary["duration_ratio"]["d5_95"] == pytest.approx(1.0)


def test_time_frequency_scores_match_obspy(ref):
    from obspy.signal import tf_misfit

    pred = broadband(1, seed=7)[0] + 0.5 * ref[0]
    result = evaluate_pairs(pred[None], ref[:1], DT, config=CONFIG)
    kwargs = {"dt": DT, "fmin": CONFIG.fmin, "fmax": CONFIG.fmax, "nf": CONFIG.tf_nf, "w0": 6.0}
    kwargs |= {"norm": "global", "st2_isref": True}
    np.testing.assert_allclose(result.gof["eg"][0], tf_misfit.eg(pred, ref[0], **kwargs), rtol=1e-6)
    np.testing.assert_allclose(result.gof["pm"][0], tf_misfit.pm(pred, ref[0], **kwargs), rtol=1e-6)


def test_bad_records_are_counted_and_skipped(ref):
    pred = ref.copy()
    pred[1, 2, 100] = np.nan
    result = evaluate_pairs(pred, ref, DT, names=["a", "b", "c"], config=CONFIG)
    assert result.names == ["a", "c"]
    assert result.skipped == [{"name": "b", "reason": "non-finite samples (NaN or inf)"}]
    assert result.summary["n_records"] == 2
    with pytest.raises(DataError, match="all 1 records have bad samples"):
        evaluate_pairs(pred[1:2], ref[1:2], DT, config=CONFIG)


def test_invalid_band_and_shapes_are_rejected(ref):
    with pytest.raises(ConfigError, match="Nyquist"):
        evaluate_pairs(ref, ref, DT, config=EvaluationConfig(fmax=60.0))
    with pytest.raises(DataError, match=r"\(N, 3, T\)"):
        evaluate_pairs(ref[:, :2], ref[:, :2], DT, config=CONFIG)


def test_json_is_valid_and_complete(identical, tmp_path):
    path = tmp_path / "metrics.json"
    write_json(path, identical.to_json())
    data = json.loads(path.read_text())
    n, p, f = 3, len(CONFIG.periods), CONFIG.n_frequencies
    assert data["n_records"] == n and data["n_skipped"] == 0
    assert data["seismoalice_version"] and data["config"]["fmax"] == 30.0
    assert len(data["periods_s"]) == p and len(data["frequencies_hz"]) == f
    records = data["records"]
    assert len(records["names"]) == n
    for key in ("pga", "pgv", "pgd", "arias", "cav", "d5_75", "d5_95"):
        assert np.shape(records["ref"][key]) == (n, 3)
        assert np.shape(records["pred"][key]) == (n, 3)
    assert np.shape(records["residuals"]["psa_rotd50"]) == (n, p)
    assert np.shape(records["residuals"]["eas"]) == (n, f)
    assert np.shape(records["gof"]["anderson"]) == (n, 10)
    assert np.shape(records["gof"]["eg"]) == (n, 3)
    assert set(data["summary"]) >= {"psa", "fas", "eas", "scalars", "psa_bands", "tf_gof"}
    np.testing.assert_allclose(records["ref"]["pga"], identical.ref["pga"], rtol=1e-5)


def test_arrays_file_holds_every_spectrum(identical, tmp_path):
    with np.load(identical.save_arrays(tmp_path / "records.npz"), allow_pickle=False) as arrays:
        n, p, f = 3, len(CONFIG.periods), CONFIG.n_frequencies
        assert arrays["pred_psa"].shape == (n, 3, p)
        assert arrays["ref_fas"].shape == (n, 3, f)
        assert arrays["residuals_psa"].shape == (n, 3, p)
        assert arrays["names"].tolist() == identical.names
        np.testing.assert_array_equal(arrays["periods"], CONFIG.periods)


def test_missing_vertical_is_left_out_not_scored(ref):
    horizontal_only = ref.copy()
    horizontal_only[0, 0] = 0.0  # record 0 has no vertical (common for strong-motion files)
    result = evaluate_pairs(2.0 * horizontal_only, horizontal_only, DT, config=CONFIG)
    assert result.skipped == []
    assert np.isnan(result.residuals["psa"][0, 0]).all()
    assert np.isnan(result.gof["eg"][0, 0]) and np.isnan(result.ref["d5_95"][0, 0])
    np.testing.assert_array_equal(result.summary["psa"]["Z"]["n"], 2)
    np.testing.assert_array_equal(result.summary["psa"]["N"]["n"], 3)
    np.testing.assert_allclose(result.summary["psa"]["Z"]["bias"], -np.log(2.0), atol=1e-10)
    np.testing.assert_allclose(result.residuals["psa_rotd50"], -np.log(2.0), atol=1e-10)
    no_north = horizontal_only.copy()
    no_north[1, 1] = 0.0
    result = evaluate_pairs(no_north, no_north, DT, config=CONFIG)
    assert result.skipped[0]["reason"] == "horizontal component N is all zeros"
