"""Data parallelism: two gloo processes on CPU end with identical weights after a few steps."""

import os
import socket

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from array_dataset import ArrayWaveformDataset
from safetensors.torch import load_file, save_file
from tiny_model import TINY

from seismoalice.models import build_network
from seismoalice.training.config import config_from_dict
from seismoalice.training.distributed import DistInfo
from seismoalice.training.loop import train_stage


def _worker(rank: int, world: int, port: int, out: str) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    rng = np.random.default_rng(0)
    data = ArrayWaveformDataset(rng.standard_normal((16, 3, 128)), 100.0, 1.0)
    st = {"epochs": 1, "batch_size": 4, "max_batches": 2}
    cfg = config_from_dict(
        {
            "seed": 5,
            "model": TINY,
            "train": {"progress": False, "device": "cpu"},
            "stages": {"bb": st},
        }
    )
    run = train_stage(
        "bb",
        cfg,
        data,
        None,
        out,
        preprocessing={"sampling_rate": 100.0, "nt": 128, "fc": 1.0},
        info=DistInfo(rank, world, rank),
    )
    flat = torch.cat(
        [p.detach().reshape(-1) for m in run.stage.nets.gen.values() for p in m.parameters()]
    )
    save_file({"w": flat.contiguous()}, os.path.join(out, f"rank{rank}.safetensors"))
    dist.destroy_process_group()


def test_two_ranks_hold_identical_weights(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mp.spawn(_worker, args=(2, port, str(tmp_path)), nprocs=2, join=True)
    w0 = load_file(tmp_path / "rank0.safetensors")["w"]
    w1 = load_file(tmp_path / "rank1.safetensors")["w"]
    assert torch.equal(w0, w1)
    torch.manual_seed(5)  # the initial weights: same seed as the run
    cfg = config_from_dict({"model": TINY})
    init = [build_network(name, cfg.model) for name in ("encoder_bb", "decoder_bb")]
    w_init = torch.cat([p.detach().reshape(-1) for m in init for p in m.parameters()])
    assert not torch.allclose(w0, w_init)  # training moved the weights
    assert (tmp_path / "bb" / "last" / "model.safetensors").exists()  # rank 0 wrote it
