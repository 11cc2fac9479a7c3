"""ETAS parameters and the model's closed-form pieces (etas.md §1–2, §4).

Temporal ETAS (Ogata 1988) with the normalised Omori–Utsu kernel
h(t) = (p − 1)·c^{p−1}·(t + c)^{−p} and productivity κ(m) = K·e^{α(m − m0)}, so K is the mean
number of direct aftershocks of an m0 event. Space–time ETAS (Ogata 1998, the R ``ETAS`` form)
adds f(x, y | m) = ((q − 1)/(π σ(m)))·(1 + r²/σ(m))^{−q}, σ(m) = D·e^{γ(m − m0)} (km²), and a
uniform background over a rectangular region. Magnitudes follow Gutenberg–Richter with
β = b·ln 10, optionally truncated at mmax. Units: days, km, natural-log α and γ.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np
from scipy import special

from seismoalice.errors import ConfigError

LN10 = np.log(10.0)


@dataclass(frozen=True)
class ETASParams:
    """Temporal ETAS parameters: μ [1/day], K, α [1/magnitude, natural log], c [day], p,
    m0 (reference/completeness magnitude), b (GR), mmax (GR truncation, None for none),
    tau [day]: exponential taper of the Omori kernel (Mizrahi et al. 2021; None for the pure
    normalised Omori kernel, which needs p > 1; with a finite taper any p > 0 is allowed and K
    keeps its meaning, the mean number of direct aftershocks of an m0 event)."""

    mu: float
    k: float
    alpha: float
    c: float
    p: float
    m0: float
    b: float = 1.0
    mmax: float | None = None
    tau: float | None = None

    def __post_init__(self) -> None:
        for name in ("mu", "k", "c", "b"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"ETAS parameter {name} must be > 0, got {getattr(self, name)}")
        if self.tau is None and not self.p > 1:
            raise ConfigError(
                f"ETAS parameter p must be > 1 for the untapered Omori kernel, got {self.p} "
                "(set a finite taper tau [days] for p ≤ 1)"
            )
        if self.tau is not None and not (self.tau > 0 and self.p > 0):
            raise ConfigError(f"tapered Omori kernel needs tau > 0 and p > 0: {self.tau}, {self.p}")
        if self.mmax is not None and not self.mmax > self.m0:
            raise ConfigError(f"mmax ({self.mmax}) must exceed m0 ({self.m0})")

    @property
    def beta(self) -> float:
        """β = b·ln 10."""
        return self.b * LN10

    @property
    def branching_ratio(self) -> float:
        """Mean number of direct offspring per event n (etas.md §1); inf when α ≥ β untruncated."""
        return branching_ratio(self.k, self.alpha, self.beta, self.m0, self.mmax)

    def to_dict(self) -> dict[str, object]:
        """Plain dict (for JSON/YAML), ``region`` as a list."""
        out = asdict(self)
        if "region" in out:
            out["region"] = list(out["region"])
        return out

    @classmethod
    def from_dict(cls, values: dict[str, object]) -> ETASParams:
        """Build from a dict, with a ConfigError naming unknown or missing keys."""
        names = {f.name for f in fields(cls)}
        unknown = set(values) - names
        if unknown:
            raise ConfigError(f"unknown {cls.__name__} key(s): {', '.join(sorted(unknown))}")
        try:
            kwargs = {k: (tuple(v) if k == "region" else v) for k, v in values.items()}
            return cls(**kwargs)
        except TypeError as exc:
            raise ConfigError(f"{cls.__name__}: {exc}") from None


@dataclass(frozen=True)
class SpaceTimeETASParams(ETASParams):
    """Space–time ETAS: adds D [km²], q, γ and the rectangular region (xmin, xmax, ymin, ymax)
    [km] over which the background (μ events/day in total) is uniform."""

    d: float = 1.0
    q: float = 1.5
    gamma: float = 0.5
    region: tuple[float, float, float, float] = (0.0, 100.0, 0.0, 100.0)

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.d > 0:
            raise ConfigError(f"ETAS parameter d must be > 0, got {self.d}")
        if not self.q > 1:
            raise ConfigError(f"ETAS parameter q must be > 1, got {self.q}")
        xmin, xmax, ymin, ymax = self.region
        if not (xmax > xmin and ymax > ymin):
            raise ConfigError(
                f"region must be (xmin, xmax, ymin, ymax) with max > min: {self.region}"
            )

    @property
    def area(self) -> float:
        """Region area |R| in km²."""
        xmin, xmax, ymin, ymax = self.region
        return (xmax - xmin) * (ymax - ymin)


def branching_ratio(
    k: float, alpha: float, beta: float, m0: float, mmax: float | None = None
) -> float:
    """n = K·E[e^{α(m − m0)}] under GR (etas.md §1): K·β/(β − α) untruncated (inf if α ≥ β);
    truncated at mmax: K·β·(1 − e^{−(β−α)ΔM})/((β − α)(1 − e^{−βΔM}))."""
    if mmax is None:
        return float(k * beta / (beta - alpha)) if alpha < beta else float("inf")
    dm = mmax - m0
    if abs(beta - alpha) < 1e-12:
        return float(k * beta * dm / (1 - np.exp(-beta * dm)))
    return float(
        k * beta * (1 - np.exp(-(beta - alpha) * dm)) / ((beta - alpha) * (1 - np.exp(-beta * dm)))
    )


def upper_gamma_np(s: float, x: np.ndarray) -> np.ndarray:
    """Upper incomplete gamma Γ(s, x) for any real s and x > 0 (etas.md §3): Γ(s)·Q(s, x) for
    s > 0, E1(x) for s = 0, Γ(s, x) = (Γ(s + 1, x) − x^s·e^{−x})/s for s < 0."""
    x = np.asarray(x, float)
    if s > 0:
        return special.gammaincc(s, x) * special.gamma(s)
    if abs(s) < 1e-12:
        return special.exp1(x)
    with np.errstate(over="ignore"):
        return (upper_gamma_np(s + 1, x) - np.exp(s * np.log(x) - x)) / s


def sample_gr(
    rng: np.random.Generator, n: int, m0: float, beta: float, mmax: float | None = None
) -> np.ndarray:
    """n Gutenberg–Richter magnitudes ≥ m0 by inverse CDF (etas.md §4), truncated at mmax."""
    u = rng.random(n)
    if mmax is None:
        return m0 - np.log1p(-u) / beta
    return m0 - np.log1p(-u * (1 - np.exp(-beta * (mmax - m0)))) / beta


def omori_delays(
    rng: np.random.Generator, n: int, c: float, p: float, tau: float | None = None
) -> np.ndarray:
    """n delays (days) from the normalised Omori–Utsu kernel (etas.md §4).

    ``tau`` None (p > 1): c·[(1 − u)^{−1/(p−1)} − 1]. Finite taper τ: numerical inversion of
    F(Δt) = 1 − Γ(1 − p, (Δt + c)/τ)/Γ(1 − p, c/τ), tabulated on a grid of ln(Δt + c) and
    interpolated linearly in the CDF.
    """
    u = rng.random(n)
    if tau is None:
        return c * np.expm1(-np.log1p(-u) / (p - 1))
    log_t = np.linspace(np.log(c), np.log(c + 60.0 * tau + 1e4 * c), 20_001)
    x = np.exp(log_t) / tau
    cdf = 1 - upper_gamma_np(1 - p, x) / upper_gamma_np(1 - p, c / tau)
    cdf[0] = 0.0
    cdf = np.maximum.accumulate(cdf)
    return np.maximum(np.exp(np.interp(u, cdf, log_t)) - c, 0.0)


def spatial_offsets(
    rng: np.random.Generator, sigma: np.ndarray, q: float
) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (dx, dy) in km from the Ogata (1998) power-law kernel with scale σ (km², (n,)):
    r = √(σ·[(1 − u)^{−1/(q−1)} − 1]), uniform azimuth."""
    n = sigma.size
    r = np.sqrt(sigma * np.expm1(-np.log1p(-rng.random(n)) / (q - 1)))
    phi = rng.uniform(0.0, 2 * np.pi, n)
    return r * np.cos(phi), r * np.sin(phi)
