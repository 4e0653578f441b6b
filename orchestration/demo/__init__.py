"""Demo extracts: a simulated B2B company (Brightwave) whose nightly CRM, web, referral and cost
extracts follow the raw extract contract, with a known causal story and its ground truth.

    from orchestration.demo import generate, REGIMES
    summary = generate(Path("data/demo"), seed=42, scale=0.02, days=3, regime="even")

See docs/demo-data.md.
"""

from .generator import generate
from .regimes import REGIMES

__all__ = ["REGIMES", "generate"]
