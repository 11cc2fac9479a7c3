"""Training loops of the three stages (bb, fl: ALICE autoencoders; hb: latent maps).

Each optimisation step is ``n_critic`` discriminator updates then one generator update on the
same minibatch (original SeismoALICE schedule, src/trainer_bbfl.py). Losses (Li et al. 2017):

- bb/fl: joint ALI D(x, z) on encoder pairs (x, F(x)) vs decoder pairs (G(z), z), z ~ N(0, I)
  fresh at every step; pair discriminators D(x, x) vs D(x, G(F(x))) and D(z, z) vs
  D(z, F(G(z))); cycles L1 |x − G(F(x))|, |z − F(G(z))|; optional log-spectral loss.
- hb: F_bb, G_bb, F_fl, G_fl frozen (eval mode, no gradients) unless ``finetune``; maps
  Ghz: z_f → z_d and Fhz: z_d → z_f; conditional discriminators on latents D(z_f, z_d) vs
  D(z_f, Ghz(z_f)) and on signals D(x_lf, x_bb) vs D(x_lf, G_bb(Ghz(z_f))); cycles through
  both maps; optional supervised latent/signal/spectral terms; amplitude head on ln ratio.
  With ``model.merge_lf`` the decoded signal is merged with the LF input at fc before the
  signal discriminator and the signal/spectral terms (:func:`seismoalice.models.merge_lf`, with
  the true amplitude ratio), so that the maps only learn the band above fc.
- env: supervised least squares of the HF envelope predictor (ln band–frame power of the
  high-passed BB record from the LF record, both in m/s²); no discriminator. With
  ``model.hf_envelope`` the hb stage loads it frozen and shapes G_bb's output with it
  (:func:`seismoalice.models.shaped_merge`) instead of using the amplitude head.

Generator terms whose weight is 0 are not computed (saves the extra decoder passes).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, DistributedSampler, Subset

from seismoalice import __version__
from seismoalice.errors import ConfigError, SeismoAliceError
from seismoalice.models import (
    AmplitudeHead,
    Decoder,
    Discriminator,
    Encoder,
    EnvelopeBands,
    EnvelopePredictor,
    HybridGenerator,
    LatentMap,
    MergeBand,
    envelope_losses,
    log_band_power,
    matched_highpass,
    merge_lf,
    renormalise,
    shaped_merge,
)
from seismoalice.seeding import seed_everything
from seismoalice.training import checkpoint as ckpt
from seismoalice.training.config import LossConfig, ModelConfig, RunConfig, Stage, StageConfig
from seismoalice.training.distributed import (
    DistInfo,
    all_reduce_mean,
    barrier,
    broadcast_module,
    sync_gradients,
)
from seismoalice.training.losses import (
    discriminator_loss,
    gradient_penalty,
    l1,
    log_psd_envelope_loss,
    log_spectral_loss,
    spectral_convergence,
)
from seismoalice.training.validation import score, validation_metrics

SIGNAL_KEY = {"bb": "bb", "fl": "lf"}
AUTOENCODER_KEYS = {"nzd", "nzf", "ndf", "decoder", "noise", "negative_slope"}
ENVELOPE_KEYS = {"envelope_bands", "envelope_frame_s", "envelope_width", "negative_slope"}


class NonFiniteLossError(SeismoAliceError, FloatingPointError):
    """A loss became NaN/inf; the run stopped and the last good checkpoint is kept."""


def select_device(kind: str = "auto") -> torch.device:
    """The current CUDA device if available (``auto``) or asked for (``cuda``), else the CPU."""
    if kind == "cuda" and not torch.cuda.is_available():
        raise ConfigError("train.device is 'cuda' but no CUDA device is available")
    if kind != "cpu" and torch.cuda.is_available():
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


@dataclass
class StageNets:
    """Networks of one stage: trained generators, discriminators, frozen networks."""

    gen: dict[str, nn.Module]
    disc: dict[str, nn.Module]
    frozen: dict[str, nn.Module] = field(default_factory=dict)
    merge: MergeBand | None = None
    envelope: int | None = None

    def all(self) -> dict[str, nn.Module]:
        return {**self.gen, **self.disc, **self.frozen}


def build_autoencoder(m: ModelConfig, stage: Stage) -> dict[str, nn.Module]:
    """Encoder and decoder of stage ``bb`` (nz = nzd) or ``fl`` (nz = nzf)."""
    nz = m.nzd if stage == "bb" else m.nzf
    return {
        "encoder": Encoder(nz, m.ndf, noise=m.noise, negative_slope=m.negative_slope),
        "decoder": Decoder(nz, m.ndf, noise=m.noise, upsample=m.decoder),
    }


def _disc(m: ModelConfig, loss: LossConfig, x_ch: int, z_ch: int) -> Discriminator:
    return Discriminator(
        x_ch,
        z_ch,
        m.ndf_d,
        m.width_d,
        norm=loss.adversarial != "wgan-gp",
        dropout=m.dropout_d,
        negative_slope=m.negative_slope,
    )


def build_hybrid_trainables(m: ModelConfig) -> dict[str, nn.Module]:
    """Latent maps Ghz (fl → bb), Fhz (bb → fl) and, without ``hf_envelope``, the amplitude
    head."""
    nets: dict[str, nn.Module] = {
        "fl_to_bb": LatentMap(m.nzf, m.nzd, m.map_width, m.noise),
        "bb_to_fl": LatentMap(m.nzd, m.nzf, m.map_width, m.noise),
    }
    if not m.hf_envelope:
        nets["amplitude"] = AmplitudeHead(
            m.nzf, m.amplitude_width, m.negative_slope, use_peak=m.amplitude_peak
        )
    return nets


def build_envelope(m: ModelConfig, preprocessing: dict[str, Any]) -> EnvelopePredictor:
    """The HF envelope predictor of stage ``env`` for the data set's fs and fc."""
    bands = EnvelopeBands.default(
        float(preprocessing["sampling_rate"]),
        float(preprocessing["fc"]),
        m.envelope_bands,
        m.envelope_frame_s,
    )
    return EnvelopePredictor(bands, 3, m.envelope_width, m.negative_slope)


def load_pretrained(
    nets: dict[str, nn.Module], path: Path, stage: Stage, m: ModelConfig, keys: set[str]
) -> None:
    """Load the ``stage`` checkpoint at ``path`` into ``nets`` (CheckpointError if it is another
    stage or its model settings ``keys`` differ from ``m``'s)."""
    tensors, config = ckpt.read_checkpoint(path)
    if config.get("stage") != stage:
        raise ckpt.CheckpointError(
            f"{path}: is a '{config.get('stage')}' checkpoint, not '{stage}'"
        )
    ckpt.check_compatible(config, str(path), model=m.model_dump(include=keys))
    ckpt.load_modules(tensors, nets, str(path))


def build_stage(
    stage: Stage,
    cfg: RunConfig,
    pretrained: dict[Stage, Path] | None = None,
    preprocessing: dict[str, Any] | None = None,
) -> StageNets:
    """Networks of ``stage``; for hb, the bb and fl autoencoders (and the env predictor with
    ``model.hf_envelope``) are loaded from ``pretrained``. ``preprocessing`` (fs, fc) is needed
    for env and hf_envelope."""
    m, loss = cfg.model, getattr(cfg.stages, stage).loss
    if stage == "env" or (stage == "hb" and m.hf_envelope):
        if preprocessing is None:
            raise ConfigError(f"stage {stage}: the envelope predictor needs the preprocessing")
        envelope = build_envelope(m, preprocessing)
    if stage == "env":
        return StageNets({"hf_envelope": envelope}, {})
    if stage in ("bb", "fl"):
        nz = m.nzd if stage == "bb" else m.nzf
        disc = {
            "d_joint": _disc(m, loss, 3, nz),
            "d_pair_x": _disc(m, loss, 6, 0),
            "d_pair_z": _disc(m, loss, 0, 2 * nz),
        }
        return StageNets(build_autoencoder(m, stage), disc)
    frozen: dict[str, nn.Module] = {}
    for sub in ("bb", "fl"):
        nets = build_autoencoder(m, sub)
        if pretrained is not None:
            load_pretrained(nets, pretrained[sub], sub, m, AUTOENCODER_KEYS)
        frozen.update({f"{k}_{sub}": v for k, v in nets.items()})
    if m.hf_envelope:
        if pretrained is not None:
            load_pretrained({"hf_envelope": envelope}, pretrained["env"], "env", m, ENVELOPE_KEYS)
        frozen["hf_envelope"] = envelope
    gen = build_hybrid_trainables(m)
    if getattr(cfg.stages, stage).finetune:
        gen["encoder_fl"] = frozen.pop("encoder_fl")
        gen["decoder_bb"] = frozen.pop("decoder_bb")
    disc = {"d_latent": _disc(m, loss, 0, m.nzf + m.nzd), "d_signal": _disc(m, loss, 6, 0)}
    return StageNets(gen, disc, frozen)


def _requires_grad(modules: dict[str, nn.Module], flag: bool) -> None:
    for mod in modules.values():
        mod.requires_grad_(flag)


def _adv(
    d: nn.Module, real: dict[str, torch.Tensor], fake: dict[str, torch.Tensor], loss: LossConfig
) -> torch.Tensor:
    """Discriminator loss of ``d`` on keyword inputs; plus the gradient penalty for WGAN-GP."""
    out = discriminator_loss(d(**real), d(**fake), loss.adversarial)
    if loss.adversarial == "wgan-gp" and loss.gp_weight > 0:
        keys = sorted(real)
        pen = gradient_penalty(
            lambda *a: d(**dict(zip(keys, a, strict=True))),
            [real[k] for k in keys],
            [fake[k] for k in keys],
        )
        out = out + loss.gp_weight * pen
    return out


def _g_adv(
    d: nn.Module, real: dict[str, torch.Tensor], fake: dict[str, torch.Tensor], loss: LossConfig
) -> torch.Tensor:
    """Generator side: the discriminator loss with real and fake swapped."""
    return discriminator_loss(d(**fake), d(**real), loss.adversarial)


StepFn = Callable[[StageNets, dict[str, torch.Tensor], LossConfig], dict[str, torch.Tensor]]


def autoencoder_losses(
    stage: Stage,
) -> tuple[StepFn, StepFn]:
    """(discriminator loss, generator loss) functions of the bb or fl ALICE stage."""
    key = SIGNAL_KEY[stage]

    def d_loss(nets: StageNets, batch: dict, loss: LossConfig) -> dict[str, torch.Tensor]:
        enc, dec, d = nets.gen["encoder"], nets.gen["decoder"], nets.disc
        x = batch[key]
        with torch.no_grad():
            z_enc = enc(x)
            z = torch.randn_like(z_enc)
            x_gen, x_rec = dec(z), dec(z_enc)
            z_rec = enc(x_gen)
        xx = torch.cat([x, x], 1)
        zz = torch.cat([z, z], 1)
        return {
            "d_joint": _adv(d["d_joint"], {"x": x, "z": z_enc}, {"x": x_gen, "z": z}, loss),
            "d_pair_x": _adv(d["d_pair_x"], {"x": xx}, {"x": torch.cat([x, x_rec], 1)}, loss),
            "d_pair_z": _adv(d["d_pair_z"], {"z": zz}, {"z": torch.cat([z, z_rec], 1)}, loss),
        }

    def g_loss(nets: StageNets, batch: dict, loss: LossConfig) -> dict[str, torch.Tensor]:
        enc, dec, d = nets.gen["encoder"], nets.gen["decoder"], nets.disc
        x = batch[key]
        z_enc = enc(x)
        x_rec = dec(z_enc)
        z = torch.randn_like(z_enc)
        x_gen = dec(z)
        z_rec = enc(x_gen)
        terms = {
            "joint": _g_adv(d["d_joint"], {"x": x, "z": z_enc}, {"x": x_gen, "z": z}, loss),
            "pair_x": _g_adv(
                d["d_pair_x"], {"x": torch.cat([x, x], 1)}, {"x": torch.cat([x, x_rec], 1)}, loss
            ),
            "pair_z": _g_adv(
                d["d_pair_z"], {"z": torch.cat([z, z], 1)}, {"z": torch.cat([z, z_rec], 1)}, loss
            ),
            "cycle_x": l1(x_rec, x),
            "cycle_z": l1(z_rec, z),
        }
        if loss.spectral > 0:
            terms["spectral"] = log_spectral_loss(x_rec, x)
        if loss.spectral_convergence > 0:
            terms["spectral_convergence"] = spectral_convergence(x_rec, x)
        if loss.psd_envelope > 0:
            terms["psd_envelope"] = log_psd_envelope_loss(x_rec, x)
        return terms

    return d_loss, g_loss


def _true_ln_ratio(batch: dict) -> torch.Tensor:
    return torch.log(batch["bb_scale"] / batch["lf_scale"]).reshape(-1)


def _hb_forward(nets: StageNets, batch: dict) -> dict[str, torch.Tensor]:
    """Latents and the decoded BB signal ``x_hat`` in units of the true BB peak (merged with
    the LF input if configured, shaped by the envelope predictor if there is one)."""
    nets_all = nets.all()
    x_bb, x_lf = batch["bb"], batch["lf"]
    with torch.no_grad():
        z_d = nets_all["encoder_bb"](x_bb)
    z_f = nets_all["encoder_fl"](x_lf)
    z_d_hat = nets_all["fl_to_bb"](z_f)
    x_hat = nets_all["decoder_bb"](z_d_hat)
    if "hf_envelope" in nets_all and nets.merge is not None:
        bb = shaped_merge(_physical(batch, "lf"), x_hat, nets_all["hf_envelope"], nets.merge)
        x_hat = bb / batch["bb_scale"].reshape(-1, 1, 1)
    elif nets.merge is not None:
        x_hat = merge_lf(x_lf, x_hat, _true_ln_ratio(batch), nets.merge, nets.envelope)
    return {
        "x_bb": x_bb,
        "x_lf": x_lf,
        "z_d": z_d,
        "z_f": z_f,
        "z_d_hat": z_d_hat,
        "x_hat": x_hat,
    }


def hybrid_d_loss(nets: StageNets, batch: dict, loss: LossConfig) -> dict[str, torch.Tensor]:
    """Conditional discriminators of the hb stage on latents and decoded signals."""
    with torch.no_grad():
        f = _hb_forward(nets, batch)
    d = nets.disc
    return {
        "d_latent": _adv(
            d["d_latent"],
            {"z": torch.cat([f["z_f"], f["z_d"]], 1)},
            {"z": torch.cat([f["z_f"], f["z_d_hat"]], 1)},
            loss,
        ),
        "d_signal": _adv(
            d["d_signal"],
            {"x": torch.cat([f["x_lf"], f["x_bb"]], 1)},
            {"x": torch.cat([f["x_lf"], f["x_hat"]], 1)},
            loss,
        ),
    }


def hybrid_g_loss(nets: StageNets, batch: dict, loss: LossConfig) -> dict[str, torch.Tensor]:
    """Generator terms of the hb stage (maps, amplitude head, and fine-tuned nets if any)."""
    n = nets.all()
    f = _hb_forward(nets, batch)
    x_hat = f["x_hat"]
    z_f_hat = n["bb_to_fl"](f["z_d"])
    d = nets.disc
    terms: dict[str, torch.Tensor] = {}
    if "amplitude" in n:
        ln_peak = torch.log(batch["lf_scale"]).reshape(-1)
        # squared error: the head estimates the conditional mean of ln(bb_peak / lf_peak), so
        # the mean ln residuals (PSA/PGA bias) are unbiased; L1 would give the median (0.3 lower)
        ln_ratio = n["amplitude"](f["z_f"].detach(), ln_peak)
        terms["amplitude"] = (ln_ratio - _true_ln_ratio(batch)).pow(2).mean()
    if loss.joint > 0:
        terms["joint"] = _g_adv(
            d["d_latent"],
            {"z": torch.cat([f["z_f"], f["z_d"]], 1)},
            {"z": torch.cat([f["z_f"], f["z_d_hat"]], 1)},
            loss,
        )
    if loss.pair_x > 0:
        terms["pair_x"] = _g_adv(
            d["d_signal"],
            {"x": torch.cat([f["x_lf"], f["x_bb"]], 1)},
            {"x": torch.cat([f["x_lf"], x_hat], 1)},
            loss,
        )
    if loss.cycle_z > 0:
        terms["cycle_z"] = l1(n["bb_to_fl"](f["z_d_hat"]), f["z_f"].detach()) + l1(
            n["fl_to_bb"](z_f_hat), f["z_d"]
        )
    if loss.cycle_x > 0:
        terms["cycle_x"] = l1(n["decoder_bb"](n["fl_to_bb"](z_f_hat)), f["x_bb"]) + l1(
            n["decoder_fl"](n["bb_to_fl"](f["z_d_hat"])), f["x_lf"]
        )
    if loss.latent > 0:
        terms["latent"] = l1(f["z_d_hat"], f["z_d"]) + l1(z_f_hat, f["z_f"].detach())
    if loss.signal > 0:
        terms["signal"] = l1(x_hat, f["x_bb"])
    if loss.spectral > 0:
        terms["spectral"] = log_spectral_loss(x_hat, f["x_bb"])
    if loss.spectral_convergence > 0:
        terms["spectral_convergence"] = spectral_convergence(x_hat, f["x_bb"])
    if loss.psd_envelope > 0:
        terms["psd_envelope"] = log_psd_envelope_loss(x_hat, f["x_bb"])
    return terms


def _physical(batch: dict, key: str) -> torch.Tensor:
    """The batch's ``bb`` or ``lf`` signals ``(N, 3, T)`` in physical units [m/s²]."""
    return batch[key] * batch[f"{key}_scale"].reshape(-1, 1, 1)


def envelope_target(nets: StageNets, bb: torch.Tensor) -> torch.Tensor:
    """ln band–frame power ``(N, 3, K, J)`` of the part of ``bb`` [m/s²] above fc (power-
    complementary high-pass, see :func:`seismoalice.models.shaped_merge`)."""
    bands = nets.all()["hf_envelope"].bands
    hf = matched_highpass(bb, nets.merge, power=True)
    return log_band_power(hf, bands.fs, bands.hf_centres, bands.frame)


def envelope_g_loss(nets: StageNets, batch: dict, loss: LossConfig) -> dict[str, torch.Tensor]:
    """Stage env: :func:`seismoalice.models.envelope_losses` of the predicted HF envelope."""
    with torch.no_grad():
        target = envelope_target(nets, _physical(batch, "bb"))
    return envelope_losses(nets.gen["hf_envelope"](_physical(batch, "lf")), target)


@torch.no_grad()
def init_envelope_normalisation(nets: StageNets, train_set: Dataset, n_records: int = 512) -> None:
    """Standardise the env predictor's inputs and outputs with the first training records."""
    subset = Subset(train_set, range(min(n_records, len(train_set))))
    predictor = nets.gen["hf_envelope"]
    lf_logs, hf_logs = [], []
    for batch in DataLoader(subset, batch_size=64, num_workers=0):
        lf_logs.append(predictor.lf_features(_physical(batch, "lf")))
        hf_logs.append(envelope_target(nets, _physical(batch, "bb")))
    predictor.init_normalisation(torch.cat(lf_logs), torch.cat(hf_logs))


@torch.no_grad()
def calibrate_envelope(
    nets: StageNets, train_set: Dataset, dt: float, n_records: int = 512, seed: int = 0
) -> torch.Tensor:
    """Calibrate the frozen env predictor of stage hb on the first training records
    (:meth:`~seismoalice.models.EnvelopePredictor.calibrate`, Gaussian-noise texture from a
    generator seeded with ``seed``, so every rank gets the same correction)."""
    predictor = nets.frozen["hf_envelope"]
    noise = torch.Generator().manual_seed(seed)
    subset = Subset(train_set, range(min(n_records, len(train_set))))
    bb, generated = [], []
    for batch in DataLoader(subset, batch_size=64, num_workers=0):
        lf = _physical(batch, "lf").to(predictor.norm.device)
        texture = torch.randn(lf.shape, generator=noise).to(lf.device)
        generated.append(shaped_merge(lf, texture, predictor, nets.merge).cpu())
        bb.append(_physical(batch, "bb"))
    return predictor.calibrate(torch.cat(bb), torch.cat(generated), dt)


@torch.no_grad()
def predict_physical(
    stage: Stage, nets: StageNets, batch: dict
) -> tuple[torch.Tensor, torch.Tensor]:
    """(target, prediction) in physical units for validation, both ``(N, 3, T)``.

    bb/fl: reconstruction G(F(x)) scaled by the true peak; env: the LF input plus Gaussian noise
    given the predicted HF envelope (:func:`shaped_merge`); hb: the generated BB scaled by
    lf_peak · exp(predicted ln ratio), i.e. the full LF → BB pipeline (:class:`HybridGenerator`).
    """
    n = nets.all()
    if stage == "env":
        lf = _physical(batch, "lf")
        return _physical(batch, "bb"), shaped_merge(
            lf, torch.randn_like(lf), n["hf_envelope"], nets.merge
        )
    if stage in ("bb", "fl"):
        key = SIGNAL_KEY[stage]
        scale = batch[f"{key}_scale"].reshape(-1, 1, 1)
        x_rec = n["decoder"](n["encoder"](batch[key]))
        return batch[key] * scale, renormalise(x_rec) * scale
    model = hybrid_generator(nets)
    x_hat, ln_ratio = model(batch["lf"], torch.log(batch["lf_scale"]).reshape(-1))
    amp = batch["lf_scale"].reshape(-1, 1, 1) * torch.exp(ln_ratio).reshape(-1, 1, 1)
    return batch["bb"] * batch["bb_scale"].reshape(-1, 1, 1), x_hat * amp


def lf_band(preprocessing: dict[str, Any]) -> MergeBand:
    """The LF filter of the data set (sampling rate, fc, order)."""
    return MergeBand(
        float(preprocessing["sampling_rate"]),
        float(preprocessing["fc"]),
        int(preprocessing.get("filter_order", 4)),
    )


def merge_band(m: ModelConfig, preprocessing: dict[str, Any]) -> MergeBand | None:
    """The LF filter band to merge at when ``model.merge_lf`` (None otherwise)."""
    return lf_band(preprocessing) if m.merge_lf else None


def envelope_width(m: ModelConfig, preprocessing: dict[str, Any]) -> int | None:
    """Samples of the LF-envelope smoothing (``model.lf_envelope`` periods of fc), or None."""
    if not (m.merge_lf and m.lf_envelope > 0):
        return None
    fs, fc = float(preprocessing["sampling_rate"]), float(preprocessing["fc"])
    return max(1, round(m.lf_envelope * fs / fc))


def hybrid_generator(nets: StageNets) -> HybridGenerator:
    """The inference chain F_fl → Ghz → G_bb (+ amplitude head) of trained hb networks."""
    n = nets.all()
    return HybridGenerator(
        n["encoder_fl"],
        n["fl_to_bb"],
        n["decoder_bb"],
        n.get("amplitude"),
        nets.merge,
        nets.envelope,
        n.get("hf_envelope"),
    )


def _to_device(batch: dict, device: torch.device) -> dict[str, torch.Tensor]:
    return {k: v.to(device, non_blocking=True) for k, v in batch.items() if torch.is_tensor(v)}


@dataclass
class StageRun:
    """Everything a stage's loop needs."""

    stage: Stage
    cfg: RunConfig
    nets: StageNets
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer | None
    schedulers: dict[str, Any]
    device: torch.device
    info: DistInfo
    stage_dir: Path
    epoch: int = 0
    step: int = 0
    best: float = math.inf

    @property
    def scfg(self) -> StageConfig:
        return getattr(self.cfg.stages, self.stage)


def _make_optimizers(
    stage_cfg: StageConfig, nets: StageNets
) -> tuple[torch.optim.Optimizer, torch.optim.Optimizer | None]:
    groups = []
    for name, mod in nets.gen.items():
        lr = stage_cfg.lr_g
        if name in ("encoder_fl", "decoder_bb"):
            lr *= stage_cfg.finetune_lr_factor
        groups.append({"params": list(mod.parameters()), "lr": lr})
    opt_g = torch.optim.Adam(groups, betas=stage_cfg.betas, weight_decay=stage_cfg.weight_decay)
    d_params = [p for m in nets.disc.values() for p in m.parameters()]
    if not d_params:
        return opt_g, None
    return opt_g, torch.optim.Adam(d_params, lr=stage_cfg.lr_d, betas=stage_cfg.betas)


def _optimizers(run: StageRun) -> dict[str, torch.optim.Optimizer]:
    return {k: o for k, o in (("g", run.opt_g), ("d", run.opt_d)) if o is not None}


STEP_FUNCTIONS: dict[str, tuple[StepFn | None, StepFn]] = {
    "hb": (hybrid_d_loss, hybrid_g_loss),
    "env": (None, envelope_g_loss),  # no discriminator: opt_d is None, the critic loop is skipped
}


def _optimizer_step(
    opt: torch.optim.Optimizer, total: torch.Tensor, modules: dict[str, nn.Module], info: DistInfo
) -> None:
    opt.zero_grad(set_to_none=True)
    total.backward()
    sync_gradients([p for m in modules.values() for p in m.parameters()], info)
    opt.step()


def _check_finite(values: dict[str, float], run: StageRun) -> None:
    bad = {k: v for k, v in values.items() if not math.isfinite(v)}
    if bad:
        raise NonFiniteLossError(
            f"stage {run.stage}, epoch {run.epoch + 1}, step {run.step}: non-finite loss {bad}; "
            "the run stopped and the last good checkpoint is kept (lower the learning rates "
            "or try loss.adversarial: wgan-gp)"
        )


def train_step(run: StageRun, batch: dict[str, torch.Tensor]) -> dict[str, float]:
    """``n_critic`` discriminator updates then one generator update; returns every loss term."""
    loss_cfg = run.scfg.loss
    d_fn, g_fn = STEP_FUNCTIONS.get(run.stage) or autoencoder_losses(run.stage)
    amp = run.device.type == "cuda" and run.cfg.train.amp
    logged: dict[str, float] = {}
    _requires_grad(run.nets.disc, True)
    for _ in range(run.scfg.n_critic if run.opt_d is not None else 0):
        with torch.autocast(run.device.type, dtype=torch.bfloat16, enabled=amp):
            d_terms = d_fn(run.nets, batch, loss_cfg)
            d_total = sum(d_terms.values())
        logged.update({f"loss_d/{k}": float(v.detach()) for k, v in d_terms.items()})
        _check_finite(logged, run)
        _optimizer_step(run.opt_d, d_total, run.nets.disc, run.info)
    _requires_grad(run.nets.disc, False)
    with torch.autocast(run.device.type, dtype=torch.bfloat16, enabled=amp):
        g_terms = g_fn(run.nets, batch, loss_cfg)
        g_total = sum(getattr(loss_cfg, k) * v for k, v in g_terms.items())
    logged.update({f"loss_g/{k}": float(v.detach()) for k, v in g_terms.items()})
    logged["loss_g/total"] = float(g_total.detach())
    _check_finite(logged, run)
    _optimizer_step(run.opt_g, g_total, run.nets.gen, run.info)
    for mod in run.nets.gen.values():
        broadcast_module(mod, run.info)
    run.step += 1
    return logged


def _loader(dataset: Dataset, batch_size: int, run: StageRun) -> DataLoader:
    sampler = DistributedSampler(
        dataset,
        num_replicas=run.info.world_size,
        rank=run.info.rank,
        shuffle=True,
        seed=run.cfg.seed,
    )
    sampler.set_epoch(run.epoch)
    per_rank = len(dataset) // run.info.world_size
    return DataLoader(
        dataset,
        batch_size=batch_size,
        sampler=sampler,
        num_workers=run.cfg.train.num_workers,
        drop_last=per_rank >= batch_size,
        pin_memory=run.device.type == "cuda",
    )


def validate(run: StageRun, dev_set: Dataset, dt: float, fc: float | None = None) -> dict[str, Any]:
    """Validation metrics on the first ``validation.n_records`` records of the dev split.

    For hb with the LF cut-off ``fc`` [Hz], also the LF consistency below fc/2.
    """
    vcfg = run.cfg.validation
    subset = Subset(dev_set, range(min(vcfg.n_records, len(dev_set))))
    loader = DataLoader(subset, batch_size=max(1, len(subset)))
    for mod in run.nets.all().values():
        mod.eval()
    obs, sim, lf = [], [], []
    for batch in loader:
        o, s = predict_physical(run.stage, run.nets, _to_device(batch, run.device))
        obs.append(o.float().cpu().numpy())
        sim.append(s.float().cpu().numpy())
        lf.append((batch["lf"] * batch["lf_scale"]).float().numpy())
    for mod in [*run.nets.gen.values(), *run.nets.disc.values()]:
        mod.train()
    return validation_metrics(
        np.concatenate(obs).astype(np.float64),
        np.concatenate(sim).astype(np.float64),
        dt,
        vcfg.periods,
        vcfg.damping,
        vcfg.tf_gof,
        vcfg.fmin,
        vcfg.fmax,
        np.concatenate(lf).astype(np.float64) if run.stage == "hb" else None,
        fc,
    )


def _checkpoint_config(run: StageRun, meta: dict[str, Any], metrics: dict | None) -> dict[str, Any]:
    return {
        "stage": run.stage,
        "package_version": __version__,
        "epoch": run.epoch,
        "step": run.step,
        "model": run.cfg.model.model_dump(mode="json"),
        "run_config": run.cfg.model_dump(mode="json"),
        "normalisation": "peak: x_n = x / max|x| over components and time; "
        "bb_phys = x_n · lf_peak · exp(ln_ratio) (amplitude head, or the peak of the shaped "
        "merge with hf_envelope)",
        "validation": metrics,
        **meta,
    }


def _save(run: StageRun, directory: Path, meta: dict, metrics: dict | None, state: bool) -> None:
    ckpt.save_checkpoint(
        directory,
        run.nets.all(),
        _checkpoint_config(run, meta, metrics),
        optimizers=_optimizers(run) if state else None,
        schedulers=run.schedulers if state else None,
        counters={"epoch": run.epoch, "step": run.step, "best": run.best} if state else None,
    )


def _resume(run: StageRun, directory: Path, meta: dict) -> None:
    tensors, config = ckpt.read_checkpoint(directory)
    source = str(directory)
    if config.get("stage") != run.stage:
        raise ckpt.CheckpointError(f"{source}: is a '{config.get('stage')}' checkpoint")
    ckpt.check_compatible(
        config,
        source,
        model=run.cfg.model.model_dump(mode="json"),
        preprocessing=meta.get("preprocessing"),
    )
    ckpt.load_modules(tensors, run.nets.all(), source)
    state_t, state = ckpt.read_state(directory)
    for name, opt in _optimizers(run).items():
        ckpt.optimizer_from_flat(name, opt, state_t, state["optimizers"][name])
    for name, sched in run.schedulers.items():
        sched.load_state_dict(state["schedulers"][name])
    ckpt.set_rng_state(state_t, state["rng"])
    run.epoch, run.step = int(state["epoch"]), int(state["step"])
    run.best = math.inf if state["best"] is None else float(state["best"])


def pretrained_stages(cfg: RunConfig) -> tuple[Stage, ...]:
    """The stages whose checkpoints stage hb loads."""
    return ("bb", "fl", "env") if cfg.model.hf_envelope else ("bb", "fl")


def setup_run(
    stage: Stage,
    cfg: RunConfig,
    stage_dir: Path,
    preprocessing: dict[str, Any],
    pretrained: dict[Stage, Path] | None = None,
    info: DistInfo | None = None,
) -> StageRun:
    """Seed, pick the device, build the stage's networks and optimisers (no training)."""
    info = info or DistInfo()
    seed_everything(cfg.seed + info.rank)
    device = select_device(cfg.train.device)
    scfg: StageConfig = getattr(cfg.stages, stage)
    if stage == "hb":
        if pretrained is None:
            raise ckpt.CheckpointError(
                f"stage hb needs the {', '.join(pretrained_stages(cfg))} checkpoints"
            )
        for s in pretrained_stages(cfg):
            _, sub_cfg = ckpt.read_checkpoint(pretrained[s])
            ckpt.check_compatible(sub_cfg, str(pretrained[s]), preprocessing=preprocessing)
    torch.manual_seed(cfg.seed)  # identical initial weights on every rank
    nets = build_stage(stage, cfg, pretrained, preprocessing)
    if stage == "hb":
        nets.merge = merge_band(cfg.model, preprocessing)
        nets.envelope = envelope_width(cfg.model, preprocessing)
    elif stage == "env":
        nets.merge = lf_band(preprocessing)
    torch.manual_seed(cfg.seed + info.rank)
    for mod in nets.all().values():
        mod.to(device)
    for mod in nets.frozen.values():
        mod.eval().requires_grad_(False)
    opt_g, opt_d = _make_optimizers(scfg, nets)
    schedulers: dict[str, Any] = {}
    if scfg.scheduler == "cosine":
        schedulers = {
            k: torch.optim.lr_scheduler.CosineAnnealingLR(o, scfg.epochs)
            for k, o in (("g", opt_g), ("d", opt_d))
            if o is not None
        }
    return StageRun(stage, cfg, nets, opt_g, opt_d, schedulers, device, info, stage_dir)


def train_stage(
    stage: Stage,
    cfg: RunConfig,
    train_set: Dataset,
    dev_set: Dataset | None,
    out_dir: str | Path,
    *,
    preprocessing: dict[str, Any],
    data_summary: dict[str, Any] | None = None,
    resume: bool = False,
    pretrained: dict[Stage, Path] | None = None,
    info: DistInfo | None = None,
    stop_after_epoch: int | None = None,
) -> StageRun:
    """Train one stage; checkpoints go to ``out_dir/<stage>/{last,best}``.

    Returns the finished :class:`StageRun` (networks, optimisers, counters, ``stage_dir``).

    ``preprocessing`` is the data set's preprocessing.json (needs ``sampling_rate``, ``nt``,
    ``fc``). ``pretrained`` gives the bb, fl (and, with ``model.hf_envelope``, env) checkpoint
    dirs for hb (default ``out_dir/<stage>/best``). ``stop_after_epoch`` ends the run early,
    as a kill would.
    """
    info = info or DistInfo()
    stage_dir = Path(out_dir) / stage
    if stage == "hb" and pretrained is None:
        pretrained = {s: Path(out_dir) / s / "best" for s in pretrained_stages(cfg)}
    run = setup_run(stage, cfg, stage_dir, preprocessing, pretrained, info)
    meta = {
        "preprocessing": preprocessing,
        "data": data_summary or {"n_train": len(train_set)},
        "pretrained": {k: str(v) for k, v in (pretrained or {}).items()},
    }
    if resume:
        _resume(run, stage_dir / "last", meta)
    elif "amplitude" in run.nets.gen:
        init_amplitude_bias(run.nets.gen["amplitude"], train_set)
    elif stage == "env":
        init_envelope_normalisation(run.nets, train_set)
    if stage == "hb" and "hf_envelope" in run.nets.frozen and not resume:
        dt_s = 1.0 / float(preprocessing["sampling_rate"])
        calibrate_envelope(run.nets, train_set, dt_s, seed=cfg.seed)
    dt = 1.0 / float(preprocessing["sampling_rate"])
    writer = _writer(stage_dir, info)
    try:
        _epochs(run, train_set, dev_set, dt, stage_dir, meta, writer, stop_after_epoch)
    finally:
        if writer is not None:
            writer.close()
    return run


@torch.no_grad()
def init_amplitude_bias(head: AmplitudeHead, train_set: Dataset, n_records: int = 512) -> None:
    """Start the amplitude head at the mean ln(bb_peak / lf_peak) of the first training records.

    The ratio is large (about e^2.5 on the synthetic set); from a zero start the head needs many
    steps to reach it, and every generated HF amplitude is off by the gap meanwhile.
    """
    subset = Subset(train_set, range(min(n_records, len(train_set))))
    ratios = [_true_ln_ratio(batch) for batch in DataLoader(subset, batch_size=64, num_workers=0)]
    mean = torch.cat(ratios).mean().to(head.out.bias.device)
    # all ranks read the same records, so the bias stays identical across ranks
    head.out.bias.fill_(float(mean))


def _writer(stage_dir: Path, info: DistInfo) -> Any:
    if not info.is_main:
        return None
    from torch.utils.tensorboard import SummaryWriter

    return SummaryWriter(str(stage_dir / "tensorboard"))


def _epochs(
    run: StageRun,
    train_set: Dataset,
    dev_set: Dataset | None,
    dt: float,
    stage_dir: Path,
    meta: dict,
    writer: Any,
    stop_after_epoch: int | None,
) -> None:
    from tqdm.auto import tqdm

    scfg, tcfg = run.scfg, run.cfg.train
    for mod in [*run.nets.gen.values(), *run.nets.disc.values()]:
        mod.train()
    while run.epoch < scfg.epochs:
        loader = _loader(train_set, scfg.batch_size, run)
        n_batches = min(len(loader), scfg.max_batches or len(loader))
        sums: dict[str, float] = {}
        bar = tqdm(
            total=n_batches,
            desc=f"{run.stage} epoch {run.epoch + 1}/{scfg.epochs}",
            disable=not (tcfg.progress and run.info.is_main),
            leave=False,
        )
        for i, batch in enumerate(loader):
            if i >= n_batches:
                break
            values = train_step(run, _to_device(batch, run.device))
            for k, v in values.items():
                sums[k] = sums.get(k, 0.0) + v
            if writer is not None and run.step % tcfg.log_every == 0:
                for k, v in values.items():
                    writer.add_scalar(k, v, run.step)
            bar.set_postfix(g=f"{values['loss_g/total']:.3f}")
            bar.update()
        bar.close()
        for sched in run.schedulers.values():
            sched.step()
        run.epoch += 1
        means = all_reduce_mean({k: v / max(n_batches, 1) for k, v in sums.items()}, run.info)
        metrics = None
        vcfg = run.cfg.validation
        if dev_set is not None and len(dev_set) > 0 and run.epoch % vcfg.every == 0:
            metrics = validate(run, dev_set, dt, float(meta["preprocessing"]["fc"]))
        if run.info.is_main:
            _end_of_epoch(run, stage_dir, meta, writer, means, metrics)
        barrier(run.info)
        if stop_after_epoch is not None and run.epoch >= stop_after_epoch:
            return


def _end_of_epoch(
    run: StageRun, stage_dir: Path, meta: dict, writer: Any, means: dict, metrics: dict | None
) -> None:
    for k, v in means.items():
        writer.add_scalar(f"epoch/{k}", v, run.epoch)
    if metrics is not None:
        for k, v in metrics.items():
            if isinstance(v, float):
                writer.add_scalar(f"validation/{k}", v, run.epoch)
        current = score(metrics)
        if current < run.best:
            run.best = current
            _save(run, stage_dir / "best", meta, metrics, state=False)
    elif not math.isfinite(run.best):
        _save(run, stage_dir / "best", meta, None, state=False)
    if run.epoch % run.cfg.train.checkpoint_every == 0 or run.epoch == run.scfg.epochs:
        _save(run, stage_dir / "last", meta, metrics, state=True)
    writer.flush()
