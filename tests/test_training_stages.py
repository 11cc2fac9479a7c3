"""The stage interface: what each stage builds, and that a loss weight of 0 skips its term (the
term's function is never called, so a skipped term costs nothing)."""

import pytest
import torch
from tiny_model import TINY

from seismoalice.checkpoint import save_checkpoint
from seismoalice.models import build_network
from seismoalice.models.factory import autoencoder_names
from seismoalice.training.config import config_from_dict
from seismoalice.training.stages import STAGES

PRE = {"sampling_rate": 100.0, "nt": 128, "fc": 1.0}
BASE, ENV = "seismoalice.training.stages.base", "seismoalice.training.stages.envelope"


def batch(n: int = 2) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    bb, lf = torch.randn(n, 3, 128, generator=g), torch.randn(n, 3, 128, generator=g)
    ones = torch.ones(n, 1, 1)
    return {
        "bb": bb / bb.abs().amax(),
        "lf": lf / lf.abs().amax(),
        "bb_scale": ones,
        "lf_scale": ones,
    }


def pretrained(tmp_path, cfg) -> dict:
    out = {}
    for stage, names in (
        ("bb", autoencoder_names("bb")),
        ("fl", autoencoder_names("fl")),
        ("env", {"hf_envelope": "hf_envelope"}),
    ):
        nets = {key: build_network(name, cfg.model, PRE) for key, name in names.items()}
        meta = {"stage": stage, "model": cfg.model.model_dump(mode="json"), "preprocessing": PRE}
        out[stage] = save_checkpoint(tmp_path / stage, nets, meta)
    return out


def never(*args, **kwargs):
    raise AssertionError("a term of weight 0 was computed")


@pytest.mark.parametrize(
    ("stage", "loss", "skipped", "kept"),
    [
        (
            "bb",
            {"joint": 0, "spectral": 0, "cycle_z": 0},
            [f"{BASE}.log_spectral_loss"],
            ["pair_x"],
        ),
        ("fl", {"pair_x": 0, "pair_z": 0}, [f"{BASE}.log_psd_envelope_loss"], ["joint"]),
        ("env", {"band_energy": 0}, [f"{ENV}.band_energy_loss"], ["envelope"]),
        ("hb", {"joint": 0, "pair_x": 0}, [f"{BASE}.spectral_convergence"], ["cycle_x"]),
    ],
)
def test_zero_weights_skip_their_terms(tmp_path, monkeypatch, stage, loss, skipped, kept):
    cfg = config_from_dict({"model": TINY, "stages": {stage: {"loss": loss}}})
    current = STAGES[stage](cfg, PRE, pretrained(tmp_path, cfg) if stage == "hb" else None)
    nets = current.build()
    for name in skipped:  # spectral terms are off by default, hence never computed
        monkeypatch.setattr(name, never)
    if "joint" in loss:  # the discriminator of a skipped adversarial term is not even called
        d_name = "d_joint" if stage != "hb" else "d_latent"
        monkeypatch.setattr(nets.disc[d_name], "forward", never)
    names = [t.name for t in current.generator_losses(batch())]
    assert not set(names) & set(loss) and set(kept) <= set(names)
    assert all(t.weight > 0 for t in current.generator_losses(batch()))


def test_stages_build_what_they_train_and_keep_frozen(tmp_path):
    cfg = config_from_dict({"model": TINY, "stages": {"hb": {"finetune": True}}})
    hb = STAGES["hb"](cfg, PRE, pretrained(tmp_path, cfg)).build()
    assert list(hb.gen) == ["fl_to_bb", "bb_to_fl", "encoder_fl", "decoder_bb"]
    assert list(hb.frozen) == ["encoder_bb", "decoder_fl", "hf_envelope"]
    assert list(hb.disc) == ["d_latent", "d_signal"]
    bb = STAGES["bb"](cfg, PRE).build()
    assert (list(bb.gen), list(bb.disc)) == (
        ["encoder", "decoder"],
        ["d_joint", "d_pair_x", "d_pair_z"],
    )
    env = STAGES["env"](cfg, PRE)
    env.build()
    assert env.critic_steps == 0 and list(env.optimizers()) == ["g"]
