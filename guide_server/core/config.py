"""Server settings: one pydantic-settings class, read from `GUIDE_*` environment variables.

Nothing is read at import time: `get_settings()` builds the settings on first use
and caches them; tests build their own `GuideSettings(...)` and pass it to
`create_app`. Validators refuse unsafe values (an empty or short token, the
embedded demo tokens on a non-loopback address) with a message naming the
variable to set.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from guide_core.demo_tokens import DEMO_ROBOT_TOKEN, DEMO_TOKENS, DEMO_VISITOR_TOKEN
from guide_core.paths import DEFAULT_EXHIBITS_DIR, VAR_DIR

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
MIN_TOKEN_CHARS = 16
DEFAULT_FEEDBACK_DB = VAR_DIR / "feedback.sqlite3"

EngineKind = Literal["onnx", "transformers", "openai", "scripted"]
ScriptedFault = Literal["none", "raise", "hang"]
FactGuardPolicy = Literal["drop", "regenerate"]


class GuideSettings(BaseSettings):
    """Everything the guide server can be told; each field is `GUIDE_<NAME>` in the environment."""

    model_config = SettingsConfigDict(env_prefix="GUIDE_", extra="ignore", frozen=True)

    host: str = Field(default="127.0.0.1", description="Address to listen on.")
    port: int = Field(default=8000, ge=0, le=65535, description="TCP port (0: any free port).")
    exhibits_dir: Path = Field(default=DEFAULT_EXHIBITS_DIR, description="The curated catalogue folder.")
    watch_catalogue: bool = Field(default=True, description="Follow curators' edits without a restart.")
    static_dir: Path = Field(default=STATIC_DIR, description="Browser VR client served at `/` if present.")

    engine: EngineKind = Field(
        default="onnx",
        description="Which generation engine speaks: onnx (the tuned model, int4, default), transformers, "
        "openai or scripted.",
    )
    model: str | None = Field(
        default=None, description="onnx/transformers: model id or folder; unset = the registry's choice."
    )
    openai_base_url: str = Field(default="http://127.0.0.1:8080/v1", description="openai: server URL.")
    openai_model: str = Field(default="smollm2-135m-instruct", description="openai: model name.")
    openai_api_key: SecretStr | None = Field(default=None, description="openai: bearer key, if any.")
    max_new_tokens: int | None = Field(
        default=None, ge=1, le=2048, description="Token budget; unset = per audience (prompts)."
    )
    generation_timeout_s: float = Field(default=120.0, gt=0, description="Longest one generation may run.")
    scripted_fault: ScriptedFault = Field(
        default="none",
        description="Test and demo tooling, scripted engine only: after `scripted_fault_after` words every "
        "generation raises (`raise`) or stops producing text until the generation timeout (`hang`).",
    )
    scripted_fault_after: int = Field(default=0, ge=0, description="Words the scripted engine says first.")
    robot_pose_timeout_s: float = Field(
        default=3.0,
        gt=0,
        description="A robot that sent poses and then none for this long is reported offline "
        "(tour.state robot_online=false, error robot_unavailable) until its poses return.",
    )
    max_tours: int = Field(
        default=100,
        ge=1,
        description="Most tours at once: a new tour name beyond it replaces the tour idle longest, or is "
        "refused (error too_many_tours, close 4429) when every tour has someone connected.",
    )
    tour_idle_expiry_s: float = Field(
        default=900.0, gt=0, description="A tour nobody has been connected to for this long is forgotten."
    )

    visitor_token: SecretStr = Field(default=SecretStr(DEMO_VISITOR_TOKEN), description="Visitors' token.")
    robot_token: SecretStr = Field(default=SecretStr(DEMO_ROBOT_TOKEN), description="Robot bridge's token.")
    allow_demo_tokens: bool = Field(
        default=False, description="Accept the embedded demo tokens on a non-loopback address."
    )
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="Browser origins allowed on the sockets besides the server's own.",
    )
    hello_timeout_s: float = Field(default=10.0, gt=0, description="Time a socket gets to say hello.")
    visitor_queue_size: int = Field(
        default=256, ge=4, le=100_000, description="Pending messages per visitor before merging."
    )
    questions_per_minute: int = Field(default=10, ge=1, le=600, description="Per visitor connection.")

    fact_guard: FactGuardPolicy = Field(
        default="drop",
        description="Unsupported sentences are never sent. drop: withhold them; regenerate: also ask the "
        "model once more when nothing it wrote survived.",
    )

    @field_validator("fact_guard", mode="before")
    @classmethod
    def _no_mark_policy(cls, value: object) -> object:
        if value == "mark":
            raise ValueError(
                "the 'mark' policy was removed: unsupported sentences are never streamed now; "
                "set GUIDE_FACT_GUARD to 'drop' (default) or 'regenerate'"
            )
        return value

    speech: bool = Field(
        default=True,
        description="Speak released sentences to visitors who turn speech on (the packaged Piper voice; "
        "English only). false: every such visitor gets one speech_unavailable error and text only.",
    )
    speech_cache_size: int = Field(
        default=512, ge=0, description="Spoken sentences kept, so cached descriptions keep their audio."
    )
    pregenerate: bool = Field(
        default=True,
        description="Start an exhibit's description as the robot heads for it, released at `enter` "
        "(the floor plan's `approach` settings say when).",
    )
    description_cache_size: int = Field(
        default=256, ge=0, description="Finished descriptions kept (0 disables the cache)."
    )
    feedback_db: Path = Field(default=DEFAULT_FEEDBACK_DB, description="SQLite file for feedback.")

    tls: bool = Field(
        default=False,
        description="Serve https and wss (headsets enter WebXR only from a secure page). Without "
        "GUIDE_TLS_CERT/KEY a self-signed certificate for this machine is made in `tls_dir`.",
    )
    tls_cert: Path | None = Field(
        default=None, description="PEM certificate (chain) to serve with; implies tls."
    )
    tls_key: Path | None = Field(default=None, description="PEM private key of `tls_cert`.")
    tls_dir: Path = Field(default=VAR_DIR / "tls", description="Where the self-signed certificate is kept.")

    @field_validator("visitor_token", "robot_token")
    @classmethod
    def _strong_token(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value()
        if not token.strip():
            raise ValueError("the token is empty: set GUIDE_VISITOR_TOKEN / GUIDE_ROBOT_TOKEN to a secret")
        if len(token) < MIN_TOKEN_CHARS:
            raise ValueError(
                f"the token has {len(token)} characters; use at least {MIN_TOKEN_CHARS} "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe())'`)"
            )
        return value

    @model_validator(mode="after")
    def _fault_needs_scripted_engine(self) -> GuideSettings:
        if self.scripted_fault != "none" and self.engine != "scripted":
            raise ValueError(
                f"GUIDE_SCRIPTED_FAULT={self.scripted_fault} is test tooling for the scripted engine: "
                "use --engine scripted, or unset GUIDE_SCRIPTED_FAULT"
            )
        return self

    @model_validator(mode="after")
    def _no_demo_tokens_in_public(self) -> GuideSettings:
        if self.host in LOOPBACK_HOSTS or self.allow_demo_tokens:
            return self
        if self.visitor_token.get_secret_value() == self.robot_token.get_secret_value():
            raise ValueError("GUIDE_VISITOR_TOKEN and GUIDE_ROBOT_TOKEN must differ")
        for name, token in (
            ("GUIDE_VISITOR_TOKEN", self.visitor_token),
            ("GUIDE_ROBOT_TOKEN", self.robot_token),
        ):
            if token.get_secret_value() in DEMO_TOKENS:
                raise ValueError(
                    f"{name} is the embedded demo token, but the server listens on {self.host}: "
                    f"set {name} to a secret, or GUIDE_ALLOW_DEMO_TOKENS=1 on a closed network"
                )
        return self

    @model_validator(mode="after")
    def _certificate_with_its_key(self) -> GuideSettings:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError(
                "GUIDE_TLS_CERT and GUIDE_TLS_KEY go together: give both (your own certificate), "
                "or neither with --tls (a self-signed one)"
            )
        return self

    @property
    def serves_tls(self) -> bool:
        """Whether the server speaks https/wss (asked for, or a certificate was given)."""
        return self.tls or self.tls_cert is not None

    @property
    def uses_demo_tokens(self) -> bool:
        """Whether either token is an embedded demo token (logged as a warning at startup)."""
        return bool(
            {self.visitor_token.get_secret_value(), self.robot_token.get_secret_value()} & DEMO_TOKENS
        )


@lru_cache
def get_settings() -> GuideSettings:
    """The process's settings from the environment, built once on first use."""
    return GuideSettings()
