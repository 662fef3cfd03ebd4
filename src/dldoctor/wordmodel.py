"""A learned fallback: word weights estimated from the train split of the report corpus.

When no signature, phrase family or structure reader recognises a report, the words themselves
still point somewhere ("mac", "wsl", "镜像", "dkms"). This is a multinomial naive Bayes over the
words of the reported texts, trained by `scripts/learn-weights` from tests/corpus/train and stored
as data in dldoctor/word_weights.py. Diagnosis uses it only when the rules found nothing, and
says so: its answer is a low-confidence guess, never a match.
"""
from __future__ import annotations

import math
import re
from collections import Counter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

_WORD = re.compile(r"[a-z][a-z0-9_+-]*(?:\.[a-z0-9_+-]+)*|\d+\.\d+(?:\.\d+)?")
_CJK = re.compile(r"[\u4e00-\u9fff]+")
# Words every report has: they say nothing about the cause.
_STOP = frozenset("""a an and are as at be but by can do docker error for from has have i if in is it me my
no not of on or so that the this to was with you your run sudo use using when get got after thanks thank
please help hi hello fine everything anything something works working work issue problem same any all""".split())
# A guess needs this many known words and this posterior, or it is no guess.
MIN_WORDS = 2
MIN_POSTERIOR = 0.45


def tokens(text: str) -> List[str]:
    """Lower-case words and dotted names, and Chinese character pairs."""
    low = text.lower()
    out = [w for w in _WORD.findall(low) if len(w) > 1 and w not in _STOP]
    for run in _CJK.findall(text):
        out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


class Model:
    """log P(word | problem) for the words kept, a floor for the rest, and log priors."""

    def __init__(self, priors: Mapping[str, float], weights: Mapping[str, Mapping[str, float]],
                 floors: Mapping[str, float]):
        self.priors = dict(priors)
        self.weights = {k: dict(v) for k, v in weights.items()}
        self.floors = dict(floors)

    def scores(self, text: str) -> List[Tuple[str, float]]:
        words = [w for w in set(tokens(text)) if any(w in ws for ws in self.weights.values())]
        if len(words) < MIN_WORDS:
            return []
        out = []
        for pid, prior in self.priors.items():
            ws, floor = self.weights.get(pid, {}), self.floors.get(pid, -20.0)
            out.append((pid, prior + sum(ws.get(w, floor) for w in words)))
        out.sort(key=lambda x: -x[1])
        return out

    def best(self, text: str) -> Optional[Tuple[str, float]]:
        """The likeliest problem and its posterior probability (softmax of the scores)."""
        sc = self.scores(text)
        if not sc:
            return None
        top = sc[0][1]
        p = 1.0 / sum(math.exp(s - top) for _p, s in sc)
        return (sc[0][0], p) if p >= MIN_POSTERIOR else None


def train(samples: Iterable[Tuple[str, str]], keep: int = 1000, alpha: float = 0.1) -> Model:
    """Estimate word weights from (text, problem) pairs; keep each problem's `keep` most telling words.

    The defaults were chosen by 5-fold cross-validation on the train split (three shuffles): on 320
    cases the model alone named the labelled cause for ~65% of held-out folds with these, ~56% with
    keep=300 (the earlier default), ~35% with keep=80, alpha=0.5; rules + fallback moved less
    (96.9% vs 96.5%: the fallback only answers what the rules do not)."""
    docs: Dict[str, List[Counter]] = {}
    for text, pid in samples:
        docs.setdefault(pid, []).append(Counter(set(tokens(text))))
    n = sum(len(v) for v in docs.values())
    vocab: Counter[str] = Counter()
    per: Dict[str, Counter] = {}
    for pid, cs in docs.items():
        c: Counter[str] = Counter()
        for d in cs:
            c.update(d)
        per[pid] = c
        vocab.update(c)
    v = len(vocab) or 1
    priors, weights, floors = {}, {}, {}
    for pid, c in per.items():
        total = sum(c.values())
        denom = total + alpha * v
        priors[pid] = math.log(len(docs[pid]) / n)
        floors[pid] = math.log(alpha / denom)
        # How much more often the word comes with this problem than with the others.
        lift = {w: (c[w] + alpha) / denom / ((vocab[w] - c[w] + alpha) / (sum(vocab.values()) - total + alpha * v))
                for w in c}
        kept = sorted(lift, key=lambda w: (-lift[w], w))[:keep]
        weights[pid] = {w: round(math.log((c[w] + alpha) / denom), 4) for w in kept}
        floors[pid] = round(floors[pid], 4)
        priors[pid] = round(priors[pid], 4)
    return Model(priors, weights, floors)


def load() -> Optional[Model]:
    try:
        from dldoctor import word_weights
    except ImportError:
        return None
    return Model(word_weights.PRIORS, word_weights.WEIGHTS, word_weights.FLOORS)


def dump(model: Model, sources: Sequence[str]) -> str:
    """The weights as a Python module (data only; generated, reviewed like any other table)."""
    lines = ['"""Word weights for dldoctor.wordmodel, generated by scripts/learn-weights from %d labelled'
             % len(sources), 'reports in tests/corpus/train. Do not edit by hand: re-run the script."""',
             "# flake8: noqa", "PRIORS = %r" % dict(sorted(model.priors.items())),
             "FLOORS = %r" % dict(sorted(model.floors.items())), "WEIGHTS = {"]
    for pid in sorted(model.weights):
        lines.append("    %r: %r," % (pid, dict(sorted(model.weights[pid].items()))))
    lines.append("}")
    return "\n".join(lines) + "\n"
