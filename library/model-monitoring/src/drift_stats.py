"""Drift between a reference set (the training data) and a window of recorded traffic; statistics from scipy and
scikit-learn, nothing hand-rolled where they have it.

Each check gives a statistic in [0, 1] (0: same as the reference) and whether it counts as drift:
- text length (tokens per text): two-sample Kolmogorov-Smirnov, drift when p < alpha;
- out-of-vocabulary rate: share of the window's tokens the reference never uses, compared with the rate a held-out
  half of the reference itself has against the other half (new texts always bring some new words); drift when it
  exceeds that baseline by more than `oov_threshold`;
- each numeric feature: Kolmogorov-Smirnov, drift when p < alpha;
- predictions against the reference's labels: categorical predictions by chi-square test of homogeneity, the
  population stability index (PSI) and the Jensen-Shannon distance (the statistic), drift when p < alpha AND PSI >
  `psi_threshold` (a large window makes any difference "significant"; PSI says whether it matters); numeric
  predictions by Kolmogorov-Smirnov.
The drift score is the largest statistic; drift is flagged when any check drifts and the window has at least
`min_samples` predictions (fewer prove nothing either way).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from scipy import stats
from scipy.spatial.distance import jensenshannon
from scipy.special import rel_entr
from sklearn.feature_extraction.text import CountVectorizer


@dataclass(frozen=True)
class Thresholds:
    alpha: float = 0.01
    oov_threshold: float = 0.15
    psi_threshold: float = 0.2
    min_samples: int = 20


@dataclass(frozen=True)
class Check:
    name: str
    statistic: float
    drifted: bool
    p_value: Optional[float] = None
    extra: Dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class DriftReport:
    samples: int
    checks: List[Check]
    score: float
    drifted: bool

    def metrics(self) -> Dict[str, float]:
        """Flat name -> value, as execution metrics."""
        values: Dict[str, float] = {"drift_score": self.score, "drift_detected": float(self.drifted),
                                    "drift_samples": float(self.samples)}
        for check in self.checks:
            values[f"{check.name}_statistic"] = check.statistic
            values[f"{check.name}_drift"] = float(check.drifted)
            if check.p_value is not None:
                values[f"{check.name}_p_value"] = check.p_value
            values.update({f"{check.name}_{k}": v for k, v in check.extra.items()})
        return values


def _ks(name: str, reference: Sequence[float], window: Sequence[float], alpha: float) -> Check:
    result = stats.ks_2samp(np.asarray(reference, float), np.asarray(window, float))
    return Check(name, float(result.statistic), bool(result.pvalue < alpha), float(result.pvalue))


def text_checks(reference: Sequence[str], window: Sequence[str], t: Thresholds, seed: int = 0) -> List[Check]:
    analyzer = CountVectorizer().build_analyzer()  # scikit-learn's tokenizer: lower case, word tokens
    ref_tokens = [analyzer(text) for text in reference]
    win_tokens = [analyzer(text) for text in window]
    length = _ks("text_length", [len(x) for x in ref_tokens], [len(x) for x in win_tokens], t.alpha)
    length = Check(length.name, length.statistic, length.drifted, length.p_value,
                   {"mean_reference": float(np.mean([len(x) for x in ref_tokens])),
                    "mean_window": float(np.mean([len(x) for x in win_tokens]))})
    order = list(range(len(ref_tokens)))
    random.Random(seed).shuffle(order)
    half = len(order) // 2
    baseline = _oov_rate({w for i in order[:half] for w in ref_tokens[i]}, [ref_tokens[i] for i in order[half:]])
    rate = _oov_rate({w for tokens in ref_tokens for w in tokens}, win_tokens)
    excess = max(0.0, rate - baseline)
    oov = Check("oov", excess, excess > t.oov_threshold, None, {"rate": rate, "baseline": baseline})
    return [length, oov]


def _oov_rate(vocabulary: set, texts: Sequence[Sequence[str]]) -> float:
    tokens = [w for text in texts for w in text]
    return float(np.mean([w not in vocabulary for w in tokens])) if tokens else 0.0


def numeric_checks(reference: Dict[str, Sequence[float]], window: Dict[str, Sequence[float]],
                   t: Thresholds) -> List[Check]:
    return [_ks(f"feature_{name}", reference[name], window[name], t.alpha)
            for name in sorted(set(reference) & set(window)) if len(reference[name]) and len(window[name])]


def prediction_check(reference_labels: Sequence[Any], predictions: Sequence[Any], t: Thresholds) -> Check:
    if all(_is_number(v) for v in list(reference_labels) + list(predictions)) and \
            len({*reference_labels, *predictions}) > 10:
        return _ks("prediction", reference_labels, predictions, t.alpha)
    categories = sorted({str(v) for v in reference_labels} | {str(v) for v in predictions})
    ref_counts = np.array([sum(str(v) == c for v in reference_labels) for c in categories], float)
    win_counts = np.array([sum(str(v) == c for v in predictions) for c in categories], float)
    if len(categories) < 2:
        return Check("prediction", 0.0, False, 1.0, {"psi": 0.0})
    # Laplace smoothing: a class absent from one side would make PSI infinite and chi-square undefined.
    ref_p, win_p = (ref_counts + 0.5) / (ref_counts + 0.5).sum(), (win_counts + 0.5) / (win_counts + 0.5).sum()
    psi = float(np.sum(rel_entr(win_p, ref_p) + rel_entr(ref_p, win_p)))  # PSI = symmetric KL divergence
    chi2, p_value, _, _ = stats.chi2_contingency(np.vstack([ref_counts, win_counts]) + 0.5)
    distance = float(jensenshannon(ref_p, win_p, base=2))
    extra = {"psi": psi, "chi2": float(chi2)}
    extra.update({f"share_{c}": float(n / max(win_counts.sum(), 1)) for c, n in zip(categories, win_counts)
                  if len(categories) <= 20})
    return Check("prediction", distance, bool(p_value < t.alpha and psi > t.psi_threshold), float(p_value), extra)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def drift_report(samples: int, checks: List[Check], t: Thresholds) -> DriftReport:
    score = max((c.statistic for c in checks), default=0.0)
    return DriftReport(samples, checks, float(score), samples >= t.min_samples and any(c.drifted for c in checks))
