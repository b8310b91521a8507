"""Prometheus metrics of one app, in its own registry so two apps can live side by side."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

TTFT_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
RATE_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)


@dataclass
class GuideMetrics:
    """Every metric the server exports at `/metrics`."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.connections = Gauge("guide_connections", "Open WebSocket connections.", ["client"], registry=r)
        self.generations = Counter(
            "guide_generations", "Finished generations.", ["kind", "finish_reason"], registry=r
        )
        self.ttft = Histogram(
            "guide_time_to_first_token_seconds",
            "From generation start to the first token.",
            ["kind"],
            buckets=TTFT_BUCKETS,
            registry=r,
        )
        self.tokens_per_second = Histogram(
            "guide_tokens_per_second", "Generation speed.", ["kind"], buckets=RATE_BUCKETS, registry=r
        )
        self.cache_hits = Counter(
            "guide_description_cache_hits", "Descriptions served from cache.", registry=r
        )
        self.cache_misses = Counter("guide_description_cache_misses", "Descriptions generated.", registry=r)
        self.sentences = Counter(
            "guide_sentences",
            "Generated sentences released to visitors or withheld as unsupported by the record.",
            ["kind", "verdict"],
            registry=r,
        )
        self.delta_merges = Counter(
            "guide_slow_client_delta_merges", "Pending deltas merged for slow visitors.", registry=r
        )
        self.client_errors = Counter("guide_client_errors", "`error` messages sent.", ["code"], registry=r)
        self.pregenerations = Counter(
            "guide_pregenerations",
            "Descriptions started as the robot approached: outcome started, released (at enter) or "
            "wasted (cancelled: it turned away or entered another exhibit).",
            ["outcome"],
            registry=r,
        )

    def render(self) -> bytes:
        """The Prometheus text exposition of this registry."""
        return generate_latest(self.registry)
