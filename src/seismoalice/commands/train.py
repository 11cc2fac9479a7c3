"""``seismoalice train``: train a stage (ALICE: bb, fl, env, hb; baseline: ann2bb) from a YAML
config."""

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
            str, typer.Option(help="ALICE stage (bb, fl, env, hb) or baseline (ann2bb).")
        ],
        config: Annotated[
            Path | None,
            typer.Option(help="YAML config (see configs/demo.yaml); default: built-in values."),
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
        OUT/env/best; compare reads ann2bb's final networks from OUT/ann2bb. A stage folder with
        checkpoints needs --resume or --overwrite.
        """
        from seismoalice.data.dataset import WaveformWindowDataset, read_preprocessing
        from seismoalice.devices import select_device
        from seismoalice.training.config import RunConfig, load_config
        from seismoalice.training.distributed import init_distributed
        from seismoalice.training.loop import train_stage
        from seismoalice.training.stages import STAGES

        if stage not in STAGES:
            raise ConfigError(f"--stage must be one of {', '.join(STAGES)}; got {stage!r}")
        cfg = load_config(config) if config is not None else RunConfig()
        path = data or (Path(cfg.data.path) if cfg.data.path else None)
        if path is None:
            raise ConfigError(f"{config or 'config'}: no data set: set data.path or pass --data")
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
