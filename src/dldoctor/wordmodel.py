"""A learned fallback: word counts estimated from the train split of the report corpus.

When no signature, phrase family or structure reader recognises a report, the words themselves
still point somewhere ("mac", "wsl", "镜像超时", "dkms"). This is a complement naive Bayes over the
words of the reported texts (lower-case words and their bigrams, dotted names whole and in parts,
version, hex and address shapes, Chinese character pairs, and the title's words once more).
`scripts/learn-weights` estimates it from tests/corpus/train and silver (reports labelled by a
blind reading) together with the catalog's own words for each problem (its title and fix in
English and Chinese, the signals of tests/data/diagnoses.md, each section of
docs/findings/<id>.md), and stores the counts and weights as data in dldoctor/word_weights.py.
Diagnosis says when an answer is the model's: a guess, never a match.

Complement naive Bayes scores a problem by how unlike the *other* problems' reports the words
are: with c(w) the documents of problem p that have word w, N(w) those of all problems, T the
word occurrences of all problems, T(p) those of p and V the vocabulary,

    score(p) = sum over the known words w of  -log((N(w) - c(w) + alpha) / (T - T(p) + alpha V))

Naive Bayes counts each word as if it were independent of the others, so a report that repeats
one kind of evidence (a path whole and in parts, a word and its pairs) is over-counted. A
multinomial logistic regression over the same words, fitted to the same documents, weighs the
words jointly and corrects that: its score is

    lr(p) = BIAS(p) + sum over the known words w of  W(w, p) / sqrt(number of known words)

(words of fewer than LR_MIN_DOCS documents get no weight; weights below LR_PRUNE are dropped and
the rest rounded to LR_STEP, which keeps the shipped file small). The problems are ranked by
score(p) + LR_WEIGHT * lr(p) - PRIOR_WEIGHT * log(prior(p)) (prior(p): the share of training
reports labelled p, see PRIOR_WEIGHT), and the probabilities are the softmax of that over
TEMPERATURE (the temperature is chosen by cross-validation so that the probabilities match how
often the top guess is right). By 5-fold cross-validation on train the sum is right first more
often than either part.
"""
from __future__ import annotations

import math
import random
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
# A word (or pair of words) seen in fewer training documents than this is not kept. Pairs were
# always pruned so; single words too since 2026-12-03, which keeps the shipped table under its
# size bound (445 -> 361 KB) at about no cost: by 5-fold cross-validation of the model alone on
# 772 train cases, top-1 602 -> 602 and 585 -> 582, recall@3 708 -> 715 and 714 -> 713 (two seeds).
MIN_DOCS = 2
# Pairs of words need one document more (2026-12-04): 5-fold cross-validation of the model alone on
# 1477 train cases, three seeds, top-1 3445 -> 3454 and recall@3 4080 -> 4084 of 4431, and the
# table from those cases 563 -> 467 KB (most pairs seen twice were one thread's phrasing).
MIN_PAIR_DOCS = 3
# A guess needs this many known words and this probability, or it is no guess. By cross-validation
# (scripts/learn-weights --cv 5) a guess of any probability is right more often than no answer.
MIN_WORDS = 2
MIN_POSTERIOR = 0.0
# The logistic regression: how much it counts next to naive Bayes, which words it weighs, how it is
# fitted (stochastic gradient descent: passes, step, L2 penalty) and how its weights are stored.
LR_WEIGHT = 2.0
LR_MIN_DOCS = 2
LR_EPOCHS = 20
LR_STEP_SIZE = 1.0
LR_L2 = 1e-6
LR_PRUNE = 0.5
LR_STEP = 0.25
# Both parts learn how common each problem is among the training reports, and lean towards the
# common ones (image tags, registries) more than is right even for reports drawn like train. Each
# problem's score is therefore raised by PRIOR_WEIGHT * -log of its share of the training reports
# (its count + 1 over all; a logit adjustment). By 5-fold cross-validation of the model alone on
# 2139 train cases (scripts/learn-weights --cv 5, three seeds, of 6417): top-1 5081 -> 5158,
# recall@3 5957 -> 5997 (its guesses of p >= 0.5 right 88% -> 89%, seed 8); the mean over
# problems of the share right (what a set with as many reports of each problem would score)
# 64.1% -> 70.7% at top-1 and 82.8% -> 88.8% within three. Weights of 1.25 and 2.0 scored a
# little lower (5153, 5994; 5127, 5952 with the prior of all train). On the five fresh rounds of scripts/eval-combine (329 reports)
# the system went from 259 to 263 at top-1, 302 within three either way.
PRIOR_WEIGHT = 1.5


# The title a reporter gave (the first line of their notes, an issue's title) says in the fewest
# words what they think is wrong: its words count once more as title words ("^driver"). report_text
# puts it after TITLE at the end of what the model reads. By 5-fold cross-validation of the model
# alone on train (2523 cases, silver in every fold, three seeds), top-1 2035 -> 2051, 2017 -> 2039
# and 2030 -> 2041, recall@3 2358 -> 2373, 2362 -> 2377 and 2344 -> 2372. On the 256 reports from
# t-10600 on, learned from those before them: the model alone 181 -> 184 and 224 -> 227, the
# product (rules first) 196 -> 195 and 228 -> 230.
TITLE = "\x1e"


def report_text(error: Optional[str], notes: Optional[str], command: Optional[str]) -> str:
    """What the model reads of a report: its error, notes and command, then its title marked (a
    TITLE character in the report itself is read as a space)."""
    text = "\n".join(t for t in (error, notes, command) if t).replace(TITLE, " ")
    title = next((line.strip() for line in (notes or "").replace(TITLE, " ").splitlines() if line.strip()), "")
    return text + "\n" + TITLE + title if title else text


def tokens(text: str) -> List[str]:
    """The features of a text (see _tokens), and its title's words (after TITLE) marked "^" once more."""
    text, _sep, title = text.partition(TITLE)
    out = _tokens(text)
    if title:
        out += ["^" + t for t in _tokens(title) if "_" not in t]
    return out


def _tokens(text: str) -> List[str]:
    """The features of a text, repeated as they occur.

    English: lower-case words without stop words and plural or verb endings (_plain), and pairs
    of neighbouring words ("no_such"); a dotted or slashed name also whole ("nvidia.github.io",
    "ustc.edu.cn"). Shapes instead of values: "#v12.4" for a version, "#403" for a number of three
    digits or more, "#hex" and "#ip". Chinese: pairs of neighbouring characters (a lone character alone)."""
    out: List[str] = []
    # words in order, each with its _plain form; None where something else broke the run
    seq: List[Optional[Tuple[str, str]]] = []
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
            plain = _plain(w)
            if len(w) > 1 and w not in _STOP:
                out.append(plain)
            seq.append((w, plain))
    prev: Optional[Tuple[str, str]] = None
    for cur in seq:
        if cur and prev and not (prev[0] in _STOP and cur[0] in _STOP):
            out.append(prev[1] + "_" + cur[1])
        prev = cur
    return out


def _plain(word: str) -> str:
    """The word without a plural or verb ending ("runtimes" and "runtime", "failing" and "fail",
    "denied" and "deni") so that reports worded differently share their words. Crude on purpose:
    the same on both sides (training and reading) is all it needs. By 5-fold cross-validation of
    the model alone on 2139 train cases (three seeds), top-1 5064 -> 5081 and recall@3 5934 -> 5957
    of 6417."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("es") and word[:-2].endswith(("s", "x", "z", "ch", "sh")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    if word.endswith("ing") and len(word) > 5:
        return word[:-3]
    if word.endswith("ed") and len(word) > 4:
        return word[:-2]
    return word


class Model:
    """Per word, in how many training documents of each problem it occurs, and its regression
    weights; the rest is derived (for the words of the text at hand only: the shipped table is
    parsed a word at a time)."""

    def __init__(self, counts: Mapping[str, Mapping[str, int]], temperature: float = 1.0,
                 totals: Optional[Mapping[str, int]] = None, alpha: float = ALPHA,
                 weights: Optional[Mapping[str, Mapping[str, float]]] = None,
                 bias: Optional[Mapping[str, float]] = None, reports: Optional[Mapping[str, int]] = None):
        self.counts = counts
        self.temperature = temperature
        self.alpha = alpha
        # The logistic regression's weights (word -> problem -> weight, the nonzero ones) and biases.
        self.weights: Mapping[str, Mapping[str, float]] = weights or {}
        self.bias = dict(bias or {})
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
        # How many training reports (not catalog documents) each problem had; what PRIOR_WEIGHT
        # discounts. Without them (a hand-made model) nothing is discounted.
        self.reports = dict(reports or {})
        n = sum(self.reports.values()) + len(self.problems)
        self._prior = ({p: -PRIOR_WEIGHT * math.log((self.reports.get(p, 0) + 1) / n) for p in self.problems}
                       if self.reports else {})
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
        """Every problem with its score (naive Bayes plus LR_WEIGHT times the logistic regression
        plus the discount of its prior, before the temperature), best first; empty below MIN_WORDS
        known words."""
        words = self.known(text)
        if len(words) < MIN_WORDS or not self.problems:
            return []
        score = {p: len(words) * b + LR_WEIGHT * self.bias.get(p, 0.0) + self._prior.get(p, 0.0)
                 for p, b in self._base.items()}
        x = LR_WEIGHT / math.sqrt(len(words))
        for w in words:
            for p, g in self.bonus(w).items():
                score[p] += g
            for p, g in (self.weights.get(w) or {}).items():
                score[p] += x * g
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


def _is_pair(token: str) -> bool:
    """"no_such": two neighbouring words (a whole dotted or slashed name may hold "_" too)."""
    return "_" in token and "." not in token and "/" not in token


def train(reports: Iterable[Tuple[str, str]], temperature: float = 1.0, min_docs: int = MIN_DOCS,
          catalog: Iterable[Tuple[str, str]] = ()) -> Model:
    """Count, per word, the (text, problem) documents it occurs in, and fit the logistic regression
    to the same documents: the labelled `reports` and the `catalog`'s own words (which count as
    documents but not towards how common a problem is). Words are kept when `min_docs` documents
    or more have them, pairs of words ("no_such") when MIN_PAIR_DOCS do too."""
    reports = list(reports)
    docs = [(set(tokens(text)), pid) for text, pid in reports + list(catalog)]
    counts: Dict[str, Counter[str]] = {}
    for words, pid in docs:
        for w in words:
            counts.setdefault(w, Counter())[pid] += 1
    counts = {w: c for w, c in counts.items()
              if sum(c.values()) >= (max(min_docs, MIN_PAIR_DOCS) if _is_pair(w) else min_docs)}
    weights, bias = fit([(sorted(w for w in words if w in counts), pid) for words, pid in docs],
                        {w for w, c in counts.items() if sum(c.values()) >= LR_MIN_DOCS})
    return Model(counts, temperature, weights=weights, bias=bias, reports=Counter(pid for _t, pid in reports))


def fit(docs: Sequence[Tuple[List[str], str]], vocabulary: Iterable[str],
        seed: int = 0) -> Tuple[Dict[str, Dict[str, float]], Dict[str, float]]:
    """Multinomial logistic regression by stochastic gradient descent (a fixed seed: the same
    weights every time): each document's known words, of value 1/sqrt(their number) so that long
    documents (the findings pages) do not dominate; only the words of `vocabulary` get weights.
    The L2 penalty shrinks all weights at once through one scale factor, so a step touches only
    the document's own words. Weights under LR_PRUNE are dropped, the rest rounded to LR_STEP."""
    problems = sorted({pid for _w, pid in docs})
    index = {p: i for i, p in enumerate(problems)}
    k = len(problems)
    vocab = set(vocabulary)
    data = [([w for w in words if w in vocab], 1.0 / math.sqrt(len(words)) if words else 1.0, index[pid])
            for words, pid in docs]
    rows: Dict[str, List[float]] = {w: [0.0] * k for w in vocab}
    bias = [0.0] * k
    scale = 1.0  # the true weights are scale * rows
    rng = random.Random(seed)
    t = 0
    for _epoch in range(LR_EPOCHS):
        rng.shuffle(data)
        for words, x, y in data:
            t += 1
            step = LR_STEP_SIZE / (1 + LR_STEP_SIZE * LR_L2 * t)
            s = [0.0] * k
            for w in words:
                s = [a + b for a, b in zip(s, rows[w])]
            s = [b + scale * x * a for a, b in zip(s, bias)]
            top = max(s)
            e = [math.exp(v - top) for v in s]
            z = sum(e)
            g = [v / z for v in e]
            g[y] -= 1.0
            scale *= 1 - step * LR_L2
            if scale < 1e-3:
                for r in rows.values():
                    r[:] = [v * scale for v in r]
                scale = 1.0
            delta = [-step * v * x / scale for v in g]
            for w in words:
                rows[w] = [a + b for a, b in zip(rows[w], delta)]
            bias = [a - step * v for a, v in zip(bias, g)]
    weights: Dict[str, Dict[str, float]] = {}
    for w, r in rows.items():
        kept = {problems[i]: round(v * scale / LR_STEP) * LR_STEP for i, v in enumerate(r) if abs(v * scale) >= LR_PRUNE}
        if kept:
            weights[w] = kept
    return weights, dict(zip(problems, bias))


class _Rows(Mapping[str, Mapping[str, int]]):
    """The shipped table, `word index:documents ...[|index:weight ...]` per line (a bare `index`:
    one document), parsed a row at a time: the counts, and (`weights`) the logistic regression's
    weights in multiples of `step`."""

    def __init__(self, text: str, problems: Sequence[str], step: float = LR_STEP):
        self._rows = dict(line.split(" ", 1) for line in text.splitlines())
        self._problems = problems
        self._step = step
        self.weights = _Weights(self)

    def _parse(self, part: str) -> List[Tuple[str, int]]:
        return [(self._problems[int(i)], int(n) if n else 1) for i, _c, n in (r.partition(":") for r in part.split(" "))]

    def __getitem__(self, word: str) -> Mapping[str, int]:
        return dict(self._parse(self._rows[word].split("|", 1)[0]))

    def __contains__(self, word: object) -> bool:
        return word in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


class _Weights(Mapping[str, Mapping[str, float]]):
    """The weighted words of a shipped table (those with a `|` part)."""

    def __init__(self, rows: _Rows):
        self._t = rows

    def __getitem__(self, word: str) -> Mapping[str, float]:
        part = self._t._rows[word].split("|", 1)
        if len(part) < 2:
            raise KeyError(word)
        return {p: n * self._t._step for p, n in self._t._parse(part[1])}

    def __contains__(self, word: object) -> bool:
        return "|" in self._t._rows.get(word, "")  # type: ignore[call-overload]

    def __iter__(self) -> Iterator[str]:
        return (w for w in self._t if w in self)

    def __len__(self) -> int:
        return sum(1 for _w in self)


def load() -> Optional[Model]:
    try:
        from dldoctor import word_weights
    except ImportError:
        return None
    problems = word_weights.PROBLEMS
    rows = _Rows(word_weights.COUNTS, problems, word_weights.STEP)
    return Model(rows, word_weights.TEMPERATURE, dict(zip(problems, word_weights.TOTALS)),
                 weights=rows.weights, bias=dict(zip(problems, word_weights.BIAS)),
                 reports=dict(zip(problems, word_weights.REPORTS)))


def dump(model: Model, sources: Sequence[str]) -> str:
    """The model as a Python module (data only; generated, reviewed like any other table): one line
    per word, `word index:documents ...`, the index into PROBLEMS (`index` alone when one document
    of that problem has the word, most often the case), then for a word the logistic regression
    weighs `|index:weight ...`, the weight in multiples of STEP."""
    index = {p: i for i, p in enumerate(model.problems)}

    def row(w: str, c: Mapping[str, int]) -> str:
        line = "%s %s" % (w, " ".join("%d:%d" % (index[p], n) if n != 1 else "%d" % index[p]
                                      for p, n in sorted(c.items(), key=lambda x: index[x[0]])))
        if w in model.weights:
            line += "|" + " ".join("%d:%d" % (index[p], round(g / LR_STEP))
                                   for p, g in sorted(model.weights[w].items(), key=lambda x: index[x[0]]))
        return line

    rows = [row(w, c) for w, c in sorted(model.counts.items())]
    return "\n".join([
        '"""Word counts and weights for dldoctor.wordmodel, generated by scripts/learn-weights from %d'
        % len(sources),
        "labelled reports in tests/corpus/train and silver and the catalog's own words. Do not edit by hand: re-run the script.",
        '"""',
        "# flake8: noqa",
        "TEMPERATURE = %r" % model.temperature,
        "# per problem, how often the words kept occur in its documents",
        "TOTALS = %r" % (tuple(model.totals[p] for p in model.problems),),
        "# per problem, the logistic regression's bias; its weights are in multiples of STEP",
        "BIAS = %r" % (tuple(round(model.bias.get(p, 0.0), 3) for p in model.problems),),
        "STEP = %r" % LR_STEP,
        "# per problem, how many training reports it labels (PRIOR_WEIGHT discounts by their share)",
        "REPORTS = %r" % (tuple(model.reports.get(p, 0) for p in model.problems),),
        "PROBLEMS = (",
        *["    %r," % p for p in model.problems],
        ")",
        'COUNTS = """\\',
        *rows,
        '"""',
    ]) + "\n"
