"""Cost estimates from a small price table that users override.

Prices change and local models are free or unknowable, so an unknown model gets ``None``
(shown as "unknown"), never 0: a zero would claim the run cost nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

#: USD per 1M tokens (prompt, completion), OpenAI list prices for standard tier.
#: Override with ``LLMSettings.prices`` or ``SUMMARIZER_PRICES='{"model": [p, c]}'``.
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4-turbo": (10.00, 30.00),
    "gpt-3.5-turbo": (0.50, 1.50),
    "gpt-5": (1.25, 10.00),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5-nano": (0.05, 0.40),
    "o3": (2.00, 8.00),
    "o3-mini": (1.10, 4.40),
    "o4-mini": (1.10, 4.40),
}


def price_for(
    model: str, overrides: Mapping[str, tuple[float, float]] | None = None
) -> tuple[float, float] | None:
    """The (prompt, completion) price of ``model``, or None when it is not known.

    Dated snapshots ("gpt-4o-mini-2024-07-18") and provider prefixes ("openai/gpt-4o")
    cost what their family costs, so the longest table name that prefixes the model wins;
    user overrides are consulted first and also match exactly before by prefix.
    """
    name = model.strip().lower().rsplit("/", 1)[-1]
    for table in (overrides or {}, PRICES):
        lowered = {k.lower(): v for k, v in table.items()}
        if name in lowered:
            return lowered[name]
        prefixes = [k for k in lowered if name.startswith(k + "-")]
        if prefixes:
            return lowered[max(prefixes, key=len)]
    return None


def estimate_cost(
    model: str,
    prompt_tokens: int,
    completion_tokens: int,
    overrides: Mapping[str, tuple[float, float]] | None = None,
) -> float | None:
    """USD for the given tokens, or None when the model's price is unknown."""
    price = price_for(model, overrides)
    if price is None:
        return None
    return (prompt_tokens * price[0] + completion_tokens * price[1]) / 1_000_000
