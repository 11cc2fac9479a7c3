"""``seismoalice train``: train an ALICE stage (bb, fl, env, hb) from a YAML config, or a
baseline that learns from data (ann2bb)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seismoalice.errors import ConfigError, DataError

GROUP = None


def register(app: typer.Typer) -> None:
    """Add the ``train`` command to ``app``."""

    @app.command("train")
    def train(
        stage: Annotated[
            str, typer.Option(help="ALICE stage (bb, fl, env, hb) or trainable baseline (ann2bb).")
        ],
        config: Annotated[
            Path | None,
            typer.Option(help="YAML config (see configs/demo.yaml); ALICE stages only."),
        ] = None,
        resume: Annotated[bool, typer.Option(help="Continue from OUT/<stage>/last.")] = False,
        overwrite: Annotated[
            bool, typer.Option(help="Replace the checkpoints a previous run left in OUT/<stage>.")
        ] = False,
        data: Annotated[
            Path | None, typer.Option(help="Prepared data set (overrides data.path).")
        ] = None,
        out: Annotated[Path, typer.Option(help="Run folder (checkpoints, TensorBoard).")] = Path(
            "runs/alice"
        ),
    ) -> None:
        """Train one stage; run under `torchrun --nproc_per_node N` for data parallelism.

        Checkpoints go to OUT/<stage>/last (every train.checkpoint_every epochs, resumable) and
        OUT/<stage>/best (best validation score); hb reads OUT/bb/best, OUT/fl/best and
        OUT/env/best. A stage folder with checkpoints needs --resume or --overwrite.
        """
        from seismoalice.baselines.registry import METHODS
        from seismoalice.data.dataset import WaveformWindowDataset, read_preprocessing
        from seismoalice.devices import select_device
        from seismoalice.training.config import load_config
        from seismoalice.training.distributed import init_distributed
        from seismoalice.training.loop import train_stage
        from seismoalice.training.stages import STAGES

        trainable = [name for name, method in METHODS.items() if method.train is not None]
        if stage in trainable:
            if data is None:
                raise ConfigError(f"--stage {stage} needs --data (a prepared data set)")
            if (out / stage).exists() and any((out / stage).iterdir()) and not overwrite:
                raise ConfigError(f"{out / stage}: not empty; pass --overwrite to replace it")
            checkpoint = METHODS[stage].train(data, out / stage)
            typer.echo(f"stage {stage}: checkpoint in {checkpoint}")
            return
        if stage not in STAGES:
            known = ", ".join([*STAGES, *trainable])
            raise ConfigError(f"--stage must be one of {known}; got {stage!r}")
        if config is None:
            raise ConfigError(f"--stage {stage} needs --config")
        cfg = load_config(config)
        path = data or (Path(cfg.data.path) if cfg.data.path else None)
        if path is None:
            raise ConfigError(f"{config}: no data set: set data.path or pass --data")
        preprocessing = read_preprocessing(path)
        train_set = WaveformWindowDataset(path, split=cfg.data.train_split)
        dev_set = WaveformWindowDataset(path, split=cfg.data.dev_split)
        if len(train_set) == 0:
            raise DataError(f"{path}: split {cfg.data.train_split!r} is empty")
        info = init_distributed(select_device(cfg.train.device).type)
        summary = {"path": str(path), "n_train": len(train_set), "n_dev": len(dev_set)}
        run = train_stage(
            stage,
            cfg,
            train_set,
            dev_set,
            out,
            preprocessing=preprocessing,
            data_summary=summary,
            resume=resume,
            overwrite=overwrite,
            info=info,
        )
        if info.is_main:
            typer.echo(f"stage {stage}: checkpoints in {run.stage_dir}")
