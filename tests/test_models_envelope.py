"""Time–frequency envelopes, envelope shaping and the HF envelope predictor (models.envelope)."""

import numpy as np
import pytest
import torch
from scipy import signal

from seismoalice.data.synthetic import SynthConfig, simulate_records
from seismoalice.metrics.psa import response_spectrum
from seismoalice.models import (
    EnvelopeBands,
    EnvelopePredictor,
    HybridGenerator,
    MergeBand,
    ModelConfig,
    log_band_power,
    shape_to_envelope,
)

FS, FC = 100.0, 1.0
BANDS = EnvelopeBands.default(FS, FC)


def test_default_bands_are_log_spaced_from_half_fc_to_40_hz():
    assert BANDS.hf_centres[0] == pytest.approx(FC / 2)
    assert BANDS.hf_centres[-1] == pytest.approx(40) and len(BANDS.hf_centres) == 12
    assert BANDS.lf_centres[0] == pytest.approx(FC / 10) and BANDS.frame == 32
    ratios = np.diff(np.log(BANDS.hf_centres))
    np.testing.assert_allclose(ratios, ratios[0])
    with pytest.raises(ValueError, match="fc"):
        EnvelopeBands.default(FS, 45.0)


@pytest.mark.parametrize("k", [0, 3, 9])
def test_band_power_of_a_sinusoid_at_a_centre_is_its_squared_amplitude(k):
    """Analytic signal of A·cos(2πft) has |a|² = A²; only the band centred on f holds it."""
    n, amp = 4096, 0.7
    f = BANDS.hf_centres[k]
    f = round(f * n / FS) * FS / n  # on an FFT bin: no leakage
    t = np.arange(n) / FS
    x = torch.tensor(amp * np.cos(2 * np.pi * f * t), dtype=torch.float64).reshape(1, 1, n)
    logp = log_band_power(x, FS, BANDS.hf_centres, BANDS.frame)[0, 0]
    own = logp[k, 4:-4]
    mask_at_f = np.interp(np.log(f), np.log(BANDS.hf_centres), np.eye(len(BANDS.hf_centres))[k])
    np.testing.assert_allclose(own.exp().numpy(), amp**2 * mask_at_f**2, rtol=0.02)
    others = np.delete(np.arange(len(BANDS.hf_centres)), k)
    assert (logp[others, 4:-4].exp() < 0.05 * amp**2).all()


def test_bands_sum_to_the_signal():
    from seismoalice.models.envelope import analytic_bands

    x = torch.randn(2, 3, 1000, dtype=torch.float64)
    parts = analytic_bands(x, FS, BANDS.hf_centres).real
    np.testing.assert_allclose(parts.sum(dim=2).numpy(), x.numpy(), atol=1e-5)


def test_shaping_a_signal_to_its_own_envelope_returns_it_and_scales_with_the_target():
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.standard_normal((2, 3, 2048)) * signal.windows.tukey(2048, 0.1))
    own = log_band_power(x.float(), FS, BANDS.hf_centres, BANDS.frame)
    np.testing.assert_allclose(shape_to_envelope(x, own, BANDS).numpy(), x.numpy(), atol=1e-4)
    doubled = shape_to_envelope(x, own + 2 * np.log(3.0), BANDS)
    np.testing.assert_allclose(doubled.numpy(), 3 * x.numpy(), atol=3e-4)


@pytest.fixture(scope="module")
def records():
    from seismoalice.data.synthetic import draw_parameters

    cfg = SynthConfig(seed=3, nt=2048, mw_range=(4.5, 6.0), distance_km_range=(10.0, 40.0))
    params = draw_parameters(cfg, 24, np.random.default_rng(3))
    return simulate_records(params, cfg, np.random.default_rng(4))


def test_noise_shaped_to_a_records_envelope_has_its_response_spectrum(records):
    """White noise given the band–frame envelope of a synthetic record's part above fc has
    that record's PSA at 0.03–0.5 s (reference: the record's own PSA)."""
    band = MergeBand(FS, FC)
    bb = torch.tensor(records[:, :, :2048], dtype=torch.float32)
    from seismoalice.models import matched_highpass

    target = log_band_power(matched_highpass(bb, band), FS, BANDS.hf_centres, BANDS.frame)
    noise = torch.randn(bb.shape, generator=torch.Generator().manual_seed(1))
    shaped = shape_to_envelope(matched_highpass(noise, band), target, BANDS)
    periods = np.array([0.03, 0.05, 0.1, 0.2, 0.5])
    ref = response_spectrum(bb[:, 1:].double().numpy(), 1 / FS, periods)
    out = response_spectrum(shaped[:, 1:].double().numpy(), 1 / FS, periods)
    r = np.log(ref / out)
    assert np.abs(r.mean(axis=(0, 1))).max() < 0.15
    assert r.std(axis=(0, 1)).max() < 0.35


def test_predictor_output_layout_and_normalisation():
    net = EnvelopePredictor(BANDS, width=8)
    lf = torch.randn(2, 3, 1024)
    out = net(lf)
    assert out.shape == (2, 3, len(BANDS.hf_centres), 1024 // BANDS.frame)
    net.init_normalisation(torch.full((4,), -3.0) + torch.arange(4.0), torch.tensor([5.0, 7.0]))
    assert net.norm.tolist() == pytest.approx([-1.5, np.std([-3, -2, -1, 0], ddof=1), 6.0, 2**0.5])


def test_calibration_adds_the_mean_log_psa_residual(records):
    """Generated records at half the true amplitude: the correction is ln 2 in every band and
    the predicted ln power rises by 2 ln 2."""
    net = EnvelopePredictor(BANDS, width=8)
    bb = torch.tensor(records, dtype=torch.float64)
    lf = torch.randn(2, 3, 1024)
    before = net(lf)
    delta = net.calibrate(bb, bb / 2, 1 / FS)
    np.testing.assert_allclose(delta.numpy(), np.log(2), rtol=1e-6)
    np.testing.assert_allclose((net(lf) - before).detach().numpy(), 2 * np.log(2), rtol=1e-5)


def test_generator_keeps_lf_below_fc_over_4_in_physical_units():
    torch.manual_seed(0)
    m = ModelConfig(nzd=4, nzf=2, ndf=4, map_width=4, envelope_width=8)
    model = HybridGenerator.from_config(m, {"sampling_rate": FS, "nt": 4096, "fc": FC}).eval()
    model.hf_envelope.init_normalisation(torch.tensor([-14.0, -12.0]), torch.tensor([-14.0, -12.0]))
    n = 4096
    rng = np.random.default_rng(0)
    x = signal.sosfiltfilt(
        signal.butter(4, FC, fs=FS, output="sos"),
        rng.standard_normal((2, 3, n)) * signal.windows.tukey(n, 0.2),
    )
    lf_phys = 0.01 * x / np.abs(x).max(axis=(1, 2), keepdims=True)  # 1 cm/s² LF peak
    with torch.no_grad():
        physical = model(torch.tensor(lf_phys, dtype=torch.float32)).double().numpy()
    low = lambda a: signal.sosfiltfilt(signal.butter(4, FC / 4, fs=FS, output="sos"), a)  # noqa: E731
    inner = slice(400, -400)  # away from the ends: filter transients of the truncated high-pass
    leak = np.abs(low(physical) - low(lf_phys))[..., inner].max()
    assert leak < 0.02 * np.abs(lf_phys).max()
    assert np.abs(physical - lf_phys).max() > 1e-3 * np.abs(lf_phys).max()  # it added HF
