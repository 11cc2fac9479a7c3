"""``seismoalice train``: train the bb, fl, env or hb stage from a YAML config (or ann2bb)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from seismoalice.errors import ConfigError, DataError

GROUP = None


def read_preprocessing(data: Path) -> dict[str, Any]:
    """The preprocessing config of a prepared data set (``preprocessing.json``)."""
    path = data / "preprocessing.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(
            f"{path}: missing; prepare the data set with `seismoalice data prepare`"
        ) from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: not valid JSON: {exc}") from None
    cfg = raw.get("config", raw)
    missing = [k for k in ("sampling_rate", "nt", "fc") if k not in cfg]
    if missing:
        raise DataError(f"{path}: lacks {missing}")
    return cfg


def register(app: typer.Typer) -> None:
    """Add the ``train`` command to ``app``."""

    @app.command("train")
    def train(
        stage: Annotated[str, typer.Option(help="Stage to train: bb, fl, env, hb or ann2bb.")],
        config: Annotated[
            Path | None, typer.Option(help="YAML config (see configs/demo.yaml); not for ann2bb.")
        ] = None,
        resume: Annotated[bool, typer.Option(help="Continue from OUT/<stage>/last.")] = False,
        data: Annotated[
            Path | None, typer.Option(help="Prepared data set (overrides data.path).")
        ] = None,
        out: Annotated[Path, typer.Option(help="Run folder (checkpoints, TensorBoard).")] = Path(
            "runs/alice"
        ),
    ) -> None:
        """Train one stage; run under `torchrun --nproc_per_node N` for data parallelism.

        Checkpoints go to OUT/<stage>/last (every train.checkpoint_every epochs, resumable) and
        OUT/<stage>/best (best validation score); hb reads OUT/bb/best and OUT/fl/best (and
        OUT/env/best with model.hf_envelope).
        """
        from seismoalice.data.dataset import WaveformWindowDataset
        from seismoalice.training.config import STAGES, load_config
        from seismoalice.training.distributed import init_distributed
        from seismoalice.training.trainer import select_device, train_stage

        if stage == "ann2bb":
            from seismoalice.baselines.ann2bb import train_from_prepared

            if data is None:
                raise ConfigError("--stage ann2bb needs --data (a prepared data set)")
            typer.echo(f"stage ann2bb: checkpoint in {train_from_prepared(data, out / 'ann2bb')}")
            return
        if stage not in STAGES:
            raise ConfigError(f"--stage must be one of {', '.join(STAGES)}, ann2bb; got {stage!r}")
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
            stage,  # type: ignore[arg-type]
            cfg,
            train_set,
            dev_set,
            out,
            preprocessing=preprocessing,
            data_summary=summary,
            resume=resume,
            info=info,
        )
        if info.is_main:
            typer.echo(f"stage {stage}: checkpoints in {run.stage_dir}")
