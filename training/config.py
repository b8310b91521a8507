"""Training configuration: dataclasses read from `training/configs/*.yaml`.

Each field carries its own docstring; `__post_init__` checks name the field at
fault, and every problem of a file is reported in one `ConfigError`. The LoRA
part becomes peft's own `LoraConfig` (no copy of its fields beyond the few we tune).
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from guide_core.paths import PROJECT_ROOT
from training.exceptions import ConfigError

RUNS_DIR = PROJECT_ROOT / "training" / "runs"
REPORTS_DIR = PROJECT_ROOT / "training" / "reports"
DATA_DIR = PROJECT_ROOT / "training" / "data"


def _check(problems: list[str], ok: bool, field_name: str, message: str) -> None:
    if not ok:
        problems.append(f"{field_name}: {message}")


@dataclass
class DataSettings:
    """What the dataset holds and how it is split."""

    seed: int = 13
    """Seed for the exhibit split and every sampled paraphrase."""
    test_exhibits: int = 4
    """Exhibits held out for evaluation (never seen in training)."""
    validation_exhibits: int = 2
    """Exhibits held out for the per-epoch eval loss and early stopping."""
    paraphrases: int = 2
    """Paraphrased targets per description and per question kind."""
    max_length: int = 512
    """Tokens per example (prompt + answer); longer examples are dropped and counted, never cut."""
    extra_texts: bool = True
    """Use .txt/.md heritage texts in training/data/ as context-answer pairs."""
    feedback: bool = True
    """Use curator corrections from training/data/feedback*.jsonl."""
    visitor_questions: bool = True
    """Also use the hand-written visitor questions of training/evaluation/data/questions.jsonl,
    only those asked about (and at) TRAINING exhibits."""
    max_train_examples: int | None = None
    """Cap on training examples (a sample stratified by task), to fit a CPU budget."""
    max_validation_examples: int | None = None
    """Cap on validation examples (stratified by task) for each eval loss; default max(8, train cap / 8)."""
    tasks: list[str] | None = None
    """The tasks trained on (default: all). The server says refusals, 'the museum holds no ...', what the
    record does not say and corrections itself (`narration.asking`), so a run for planned narration
    leaves those tasks out: trained on, they taught the model to refuse descriptions."""
    task_weights: dict[str, float] = field(default_factory=dict)
    """Relative weight of a task's share in the capped sample (default 1): raise the safety tasks
    (false_premise, injection, harmful, not_in_record, unknown_exhibit) when the cap is tight."""

    def __post_init__(self) -> None:
        problems: list[str] = []
        _check(problems, self.test_exhibits >= 1, "data.test_exhibits", "hold out at least 1 exhibit")
        _check(problems, self.validation_exhibits >= 1, "data.validation_exhibits", "must be at least 1")
        _check(problems, 1 <= self.paraphrases <= 6, "data.paraphrases", "choose 1 to 6")
        _check(problems, 64 <= self.max_length <= 4096, "data.max_length", "choose 64 to 4096 tokens")
        _check(
            problems,
            self.max_train_examples is None or self.max_train_examples >= 1,
            "data.max_train_examples",
            "must be positive or left out",
        )
        _check(
            problems,
            self.max_validation_examples is None or self.max_validation_examples >= 1,
            "data.max_validation_examples",
            "must be positive or left out",
        )
        from training.dataset.examples import Task

        known = {task.value for task in Task}
        for task in self.tasks or []:
            _check(problems, task in known, f"data.tasks.{task}", f"unknown task; use {sorted(known)}")
        for task, weight in self.task_weights.items():
            _check(problems, task in known, f"data.task_weights.{task}", f"unknown task; use {sorted(known)}")
            _check(problems, weight > 0, f"data.task_weights.{task}", "must be above 0")
        if problems:
            raise ConfigError("; ".join(problems))


@dataclass
class LoraSettings:
    """The LoRA adapter's shape; `to_peft()` gives peft's own LoraConfig."""

    r: int = 8
    """Rank of the update matrices."""
    alpha: int = 16
    """Scaling numerator (alpha / r); r or 2r is usual."""
    dropout: float = 0.05
    """Dropout on the LoRA input, 0 to 0.1 is usual."""
    target_modules: str | list[str] = "all-linear"
    """Module names to adapt, or 'all-linear' (every linear layer but the output head)."""

    def __post_init__(self) -> None:
        problems: list[str] = []
        _check(problems, 1 <= self.r <= 256, "lora.r", "choose a rank from 1 to 256")
        _check(problems, self.alpha > 0, "lora.alpha", "must be positive (r or 2r is usual)")
        _check(problems, 0.0 <= self.dropout < 1.0, "lora.dropout", "must be in [0, 1)")
        _check(
            problems,
            self.target_modules == "all-linear"
            or (isinstance(self.target_modules, list) and len(self.target_modules) > 0),
            "lora.target_modules",
            "give 'all-linear' or a non-empty list such as [q_proj, v_proj]",
        )
        if problems:
            raise ConfigError("; ".join(problems))

    def to_peft(self) -> Any:
        """peft's LoraConfig for a causal language model."""
        from peft import LoraConfig

        return LoraConfig(
            r=self.r,
            lora_alpha=self.alpha,
            lora_dropout=self.dropout,
            target_modules=self.target_modules,
            task_type="CAUSAL_LM",
        )


@dataclass
class QuantSettings:
    """QLoRA: the frozen base in 4-bit NF4 or 8-bit through bitsandbytes; none trains in fp32."""

    bits: Literal[4, 8] | None = None
    """4 (NF4), 8 (LLM.int8) or null for a full-precision base (best on a CPU)."""
    quant_type: Literal["nf4", "fp4"] = "nf4"
    """4-bit data type."""
    double_quant: bool = True
    """Quantise the quantisation constants too (QLoRA's double quantisation)."""
    compute_dtype: Literal["float32", "bfloat16", "float16"] = "float32"
    """Dtype of the 4-bit matmuls; bfloat16 on a GPU, float32 on a CPU."""

    def __post_init__(self) -> None:
        problems: list[str] = []
        _check(problems, self.bits in (None, 4, 8), "quant.bits", "use 4, 8 or null")
        _check(problems, self.quant_type in ("nf4", "fp4"), "quant.quant_type", "use nf4 or fp4")
        _check(
            problems,
            self.compute_dtype in ("float32", "bfloat16", "float16"),
            "quant.compute_dtype",
            "use float32, bfloat16 or float16",
        )
        if problems:
            raise ConfigError("; ".join(problems))

    def bnb_config(self) -> Any:
        """transformers' BitsAndBytesConfig, or None for a full-precision base."""
        if self.bits is None:
            return None
        import torch
        from transformers import BitsAndBytesConfig

        if self.bits == 8:
            return BitsAndBytesConfig(load_in_8bit=True)
        return BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type=self.quant_type,
            bnb_4bit_use_double_quant=self.double_quant,
            bnb_4bit_compute_dtype=getattr(torch, self.compute_dtype),
        )


@dataclass
class OptimSettings:
    """How the adapter is optimised, evaluated and stopped."""

    learning_rate: float = 2e-4
    """Peak learning rate of AdamW."""
    epochs: int = 2
    """Passes over the training split."""
    batch_size: int = 4
    """Examples per step (grouped by length to waste little padding)."""
    grad_accum: int = 1
    """Steps whose gradients are summed before one optimiser update."""
    max_grad_norm: float = 0.3
    """Gradient clipping norm."""
    warmup_ratio: float = 0.05
    """Share of updates spent warming the learning rate up."""
    weight_decay: float = 0.0
    """AdamW weight decay."""
    max_steps: int | None = None
    """Stop after this many updates (for tests and benchmarks)."""
    eval_every: int | None = None
    """Also evaluate every N updates; the eval loss always runs at the end of each epoch."""
    patience: int = 2
    """Evaluations without improvement before early stopping."""
    checkpoint_every: int | None = 50
    """Save a resumable checkpoint every N updates (and at each evaluation)."""
    max_minutes: float | None = None
    """Time budget: after this many minutes of training, evaluate once more and stop."""
    autocast: Literal["bfloat16"] | None = None
    """Mixed precision for the forward pass (torch.autocast; weights, adapter and optimizer stay fp32):
    bfloat16 is about 1.4x faster on CPUs with AVX512-BF16 (and on GPUs), much slower on CPUs without."""

    def __post_init__(self) -> None:
        problems: list[str] = []
        _check(problems, 0 < self.learning_rate < 1, "optim.learning_rate", "must be in (0, 1), e.g. 2e-4")
        _check(problems, self.epochs >= 1, "optim.epochs", "must be at least 1")
        _check(problems, self.batch_size >= 1, "optim.batch_size", "must be at least 1")
        _check(problems, self.grad_accum >= 1, "optim.grad_accum", "must be at least 1")
        _check(problems, self.max_grad_norm > 0, "optim.max_grad_norm", "must be positive")
        _check(problems, 0 <= self.warmup_ratio < 1, "optim.warmup_ratio", "must be in [0, 1)")
        _check(problems, self.max_steps is None or self.max_steps >= 1, "optim.max_steps", "must be >= 1")
        _check(problems, self.eval_every is None or self.eval_every >= 1, "optim.eval_every", "must be >= 1")
        _check(problems, self.patience >= 1, "optim.patience", "must be at least 1")
        _check(
            problems,
            self.max_minutes is None or self.max_minutes > 0,
            "optim.max_minutes",
            "must be positive",
        )
        _check(problems, self.autocast in (None, "bfloat16"), "optim.autocast", "use bfloat16 or null")
        if problems:
            raise ConfigError("; ".join(problems))


@dataclass
class TrainConfig:
    """One training run: which base, which data, which adapter, how to optimise."""

    run_name: str
    """Folder name under training/runs/ and training/reports/."""
    base: str = "smollm2-135m-instruct"
    """Packaged base id (smollm2-135m-instruct, gemma-3-270m) or a local HF model folder."""
    seed: int = 13
    """Seed for weights' LoRA init, dropout and batch order."""
    threads: int | None = None
    """torch CPU threads; null keeps torch's default."""
    data: DataSettings = field(default_factory=DataSettings)
    """Dataset settings."""
    lora: LoraSettings = field(default_factory=LoraSettings)
    """Adapter settings."""
    quant: QuantSettings = field(default_factory=QuantSettings)
    """Quantisation of the frozen base (QLoRA)."""
    optim: OptimSettings = field(default_factory=OptimSettings)
    """Optimisation settings."""
    output_dir: str | None = None
    """Where the run is written; default training/runs/<run_name>."""

    def __post_init__(self) -> None:
        problems: list[str] = []
        _check(
            problems,
            bool(self.run_name) and all(c.isalnum() or c in "-_." for c in self.run_name),
            "run_name",
            "use letters, digits, '-', '_' or '.' (it becomes a folder name)",
        )
        _check(problems, bool(self.base), "base", "name a packaged base or a local model folder")
        if problems:
            raise ConfigError("; ".join(problems))

    @property
    def run_dir(self) -> Path:
        """The run's output folder."""
        return Path(self.output_dir) if self.output_dir else RUNS_DIR / self.run_name

    def to_dict(self) -> dict[str, Any]:
        """Plain data, as written beside the adapter."""
        return dataclasses.asdict(self)


_SECTIONS = {"data": DataSettings, "lora": LoraSettings, "quant": QuantSettings, "optim": OptimSettings}


def config_from_dict(raw: dict[str, Any], *, source: str = "config") -> TrainConfig:
    """Build a TrainConfig, collecting every unknown key and bad value into one ConfigError."""
    problems: list[str] = []
    known = {f.name for f in dataclasses.fields(TrainConfig)}
    top = {k: v for k, v in raw.items() if k in known and k not in _SECTIONS}
    problems += [f"{k}: unknown key (known: {', '.join(sorted(known))})" for k in raw if k not in known]
    sections: dict[str, Any] = {}
    for name, cls in _SECTIONS.items():
        values = raw.get(name) or {}
        if not isinstance(values, dict):
            problems.append(f"{name}: must be a mapping of settings")
            continue
        fields = {f.name for f in dataclasses.fields(cls)}
        problems += [
            f"{name}.{k}: unknown key (known: {', '.join(sorted(fields))})" for k in values if k not in fields
        ]
        try:
            sections[name] = cls(**{k: v for k, v in values.items() if k in fields})
        except ConfigError as exc:
            problems.append(str(exc))
    if "run_name" not in raw:
        problems.append("run_name: missing; name the run (it becomes training/runs/<run_name>)")
    if problems:
        raise ConfigError(f"{source}: " + "; ".join(problems))
    try:
        return TrainConfig(**top, **sections)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def load_config(path: Path) -> TrainConfig:
    """Read a YAML or TOML training config file."""
    if not path.exists():
        raise ConfigError(f"{path}: no such config file; see training/configs/ for examples")
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        raw = tomllib.loads(text)
    elif path.suffix in (".yaml", ".yml"):
        raw = yaml.safe_load(text) or {}
    else:
        raise ConfigError(f"{path}: use a .yaml, .yml or .toml file")
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of settings")
    return config_from_dict(raw, source=str(path))
