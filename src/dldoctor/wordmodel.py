"""A learned fallback: word counts estimated from the train split of the report corpus.

When no signature, phrase family or structure reader recognises a report, the words themselves
still point somewhere ("mac", "wsl", "镜像超时", "dkms"). This is a complement naive Bayes over the
words of the reported texts (lower-case words and their bigrams, dotted names whole and in parts,
version, hex and address shapes, Chinese character pairs). `scripts/learn-weights` estimates it
from tests/corpus/train together with the catalog's own words for each problem (its title and fix
in English and Chinese, the signals of tests/data/diagnoses.md, each section of
docs/findings/<id>.md), and stores the counts as data in dldoctor/word_weights.py. Diagnosis says
when an answer is the model's: a guess, never a match.

Complement naive Bayes scores a problem by how unlike the *other* problems' reports the words
are: with c(w) the documents of problem p that have word w, N(w) those of all problems, T the
word occurrences of all problems, T(p) those of p and V the vocabulary,

    score(p) = sum over the known words w of  -log((N(w) - c(w) + alpha) / (T - T(p) + alpha V))

and the probabilities are the softmax of score / TEMPERATURE (the temperature is chosen by
cross-validation so that the probabilities match how often the top guess is right).
"""
from __future__ import annotations

import math
import re
from collections import Counter
from typing import Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple  # Mapping is a base class

# Words every report has: they say nothing about the cause.
_STOP = frozenset("""a an and are as at be but by can do docker error for from has have i if in is it me my
no not of on or so that the this to was with you your run sudo use using when get got after thanks thank
please help hi hello fine everything anything something works working work issue problem same any all
there then than what which who how why where will would should could been being were they them their we
our us he she his her its just also only still even very more most some such into out up down over about
like want need tried try trying see seems seem one two""".split())
_PIECE = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9][a-z0-9_.+:/-]*[a-z0-9]|[a-z]")
_HEX = re.compile(r"(sha256:)?[0-9a-f]{12,}")
_IP = re.compile(r"\d{1,3}(\.\d{1,3}){3}(:\d+)?")
_VERSION = re.compile(r"v?(\d+)\.(\d+)(?:[.-]\S*)?")
_NUMBER = re.compile(r"\d+")
_WORD = re.compile(r"[a-z][a-z0-9+-]*[a-z0-9+]|[a-z]")

ALPHA = 1.0
# A pair of words seen in fewer training documents than this is not kept: there are too many of
# them (single words and Chinese character pairs are kept even when one document has them).
MIN_DOCS = 2
# A guess needs this many known words and this probability, or it is no guess. By cross-validation
# (scripts/learn-weights --cv 5) a guess of any probability is right more often than no answer.
MIN_WORDS = 2
MIN_POSTERIOR = 0.0


def tokens(text: str) -> List[str]:
    """The features of a text, repeated as they occur.

    English: lower-case words without stop words, and pairs of neighbouring words
    ("no_such"); a dotted or slashed name also whole ("nvidia.github.io", "ustc.edu.cn"). Shapes
    instead of values: "#v12.4" for a version, "#403" for a number of three digits or more,
    "#hex" and "#ip". Chinese: pairs of neighbouring characters (a lone character alone)."""
    out: List[str] = []
    seq: List[Optional[str]] = []  # words in order, None where something else broke the run
    for m in _PIECE.findall(text.lower()):
        if "\u4e00" <= m[0] <= "\u9fff":
            seq.append(None)
            out.extend([m[i:i + 2] for i in range(len(m) - 1)] if len(m) > 1 else [m])
            continue
        seq_break = True
        if _HEX.fullmatch(m):
            out.append("#hex")
        elif _IP.fullmatch(m):
            out.append("#ip")
        elif _VERSION.fullmatch(m):
            v = _VERSION.fullmatch(m)
            assert v is not None
            out.append("#v%s.%s" % (v.group(1), v.group(2)))
        elif _NUMBER.fullmatch(m):
            if len(m) >= 3:
                out.append("#" + m)
        else:
            seq_break = False
        if seq_break:
            seq.append(None)
            continue
        words = _WORD.findall(m)
        if len(words) > 1 and len(m) <= 60 and ("." in m or "/" in m):
            out.append(m.strip("./:"))
        for w in words:
            if len(w) > 1 and w not in _STOP:
                out.append(w)
            seq.append(w)
    prev: Optional[str] = None
    for w in seq:
        if w and prev and not (prev in _STOP and w in _STOP):
            out.append(prev + "_" + w)
        prev = w
    return out


class Model:
    """Per word, in how many training documents of each problem it occurs; the rest is derived
    (for the words of the text at hand only: the shipped table is parsed a word at a time)."""

    def __init__(self, counts: Mapping[str, Mapping[str, int]], temperature: float = 1.0,
                 totals: Optional[Mapping[str, int]] = None, alpha: float = ALPHA):
        self.counts = counts
        self.temperature = temperature
        self.alpha = alpha
        if totals is None:
            summed: Counter[str] = Counter()
            for c in counts.values():
                summed.update(c)
            totals = summed
        self.totals = dict(totals)
        everything = sum(self.totals.values())
        self.problems = sorted(self.totals)
        # log(T - T(p) + alpha V): what every known word costs a problem before its own evidence.
        self._base = {p: math.log(everything - t + alpha * len(counts)) for p, t in self.totals.items()}
        self._bonus: Dict[str, Dict[str, float]] = {}

    def bonus(self, word: str) -> Dict[str, float]:
        """What a word gives back to the problems whose documents have it."""
        got = self._bonus.get(word)
        if got is None:
            c = self.counts[word]
            n = sum(c.values())
            got = self._bonus[word] = {p: math.log((n + self.alpha) / (n - k + self.alpha)) for p, k in c.items()}
        return got

    def known(self, text: str) -> List[str]:
        return sorted({w for w in tokens(text) if w in self.counts})

    def scores(self, text: str) -> List[Tuple[str, float]]:
        """Every problem with its complement naive Bayes score (before the temperature), best first;
        empty below MIN_WORDS known words."""
        words = self.known(text)
        if len(words) < MIN_WORDS or not self.problems:
            return []
        score = {p: len(words) * b for p, b in self._base.items()}
        for w in words:
            for p, g in self.bonus(w).items():
                score[p] += g
        return sorted(score.items(), key=lambda x: (-x[1], x[0]))

    def probabilities(self, text: str, temperature: Optional[float] = None) -> List[Tuple[str, float]]:
        """Every problem with its probability, likeliest first; empty below MIN_WORDS known words."""
        return softmax(self.scores(text), temperature or self.temperature)

    def best(self, text: str) -> Optional[Tuple[str, float]]:
        """The likeliest problem and its probability, when it reaches MIN_POSTERIOR."""
        pr = self.probabilities(text)
        return pr[0] if pr and pr[0][1] >= MIN_POSTERIOR else None


def softmax(scores: Sequence[Tuple[str, float]], temperature: float) -> List[Tuple[str, float]]:
    if not scores:
        return []
    top = max(s for _p, s in scores)
    e = [(p, math.exp((s - top) / temperature)) for p, s in scores]
    z = sum(x for _p, x in e)
    return [(p, x / z) for p, x in e]


def train(samples: Iterable[Tuple[str, str]], temperature: float = 1.0, min_docs: int = MIN_DOCS) -> Model:
    """Count, per word, the (text, problem) documents it occurs in. Pairs of words ("no_such")
    are kept when `min_docs` documents or more have them."""
    counts: Dict[str, Counter[str]] = {}
    for text, pid in samples:
        for w in set(tokens(text)):
            counts.setdefault(w, Counter())[pid] += 1
    return Model({w: c for w, c in counts.items() if "_" not in w or sum(c.values()) >= min_docs}, temperature)


class _Rows(Mapping[str, Mapping[str, int]]):
    """The shipped table, `word index:documents ...` per line, parsed a row at a time."""

    def __init__(self, text: str, problems: Sequence[str]):
        self._rows = dict(line.split(" ", 1) for line in text.splitlines())
        self._problems = problems

    def __getitem__(self, word: str) -> Mapping[str, int]:
        return {self._problems[int(i)]: int(n) for i, n in (r.split(":") for r in self._rows[word].split(" "))}

    def __contains__(self, word: object) -> bool:
        return word in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def load() -> Optional[Model]:
    try:
        from dldoctor import word_weights
    except ImportError:
        return None
    problems = word_weights.PROBLEMS
    return Model(_Rows(word_weights.COUNTS, problems), word_weights.TEMPERATURE,
                 dict(zip(problems, word_weights.TOTALS)))


def dump(model: Model, sources: Sequence[str]) -> str:
    """The counts as a Python module (data only; generated, reviewed like any other table): one
    line per word, `word index:documents ...`, the index into PROBLEMS."""
    index = {p: i for i, p in enumerate(model.problems)}
    rows = ["%s %s" % (w, " ".join("%d:%d" % (index[p], n) for p, n in sorted(c.items(), key=lambda x: index[x[0]])))
            for w, c in sorted(model.counts.items())]
    return "\n".join([
        '"""Word counts for dldoctor.wordmodel, generated by scripts/learn-weights from %d labelled'
        % len(sources),
        "reports in tests/corpus/train and the catalog's own words. Do not edit by hand: re-run the script.",
        '"""',
        "# flake8: noqa",
        "TEMPERATURE = %r" % model.temperature,
        "# per problem, how often the words kept occur in its documents",
        "TOTALS = %r" % (tuple(model.totals[p] for p in model.problems),),
        "PROBLEMS = (",
        *["    %r," % p for p in model.problems],
        ")",
        'COUNTS = """\\',
        *rows,
        '"""',
    ]) + "\n"
