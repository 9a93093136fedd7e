"""Statistics that know nothing of the model: intervals, paired comparisons, correlations.

Everything here takes arrays and returns numbers or small typed results, and imports nothing
else of cocair-sim, so the layers above (experiments, the science, the report) share one
implementation of each method.
"""

from cocair_sim.stats.correlation import RankCorrelation, rank_correlation
from cocair_sim.stats.paired import (
    ColumnIntervals,
    Interval,
    PairedComparison,
    bootstrap_column_ci,
    bootstrap_mean_ci,
    paired_comparison,
    wilcoxon_p,
)

__all__ = [
    "ColumnIntervals",
    "Interval",
    "PairedComparison",
    "RankCorrelation",
    "bootstrap_column_ci",
    "bootstrap_mean_ci",
    "paired_comparison",
    "rank_correlation",
    "wilcoxon_p",
]
