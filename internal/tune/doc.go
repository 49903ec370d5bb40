// Package tune searches hyperparameters; it is the engine of
// `osler tune classifier`.
//
// A [Space] lists typed parameters (float and int, uniform or log scale,
// ints on a step grid; categorical; bool), read from JSON by
// [ParseSpace]. [Optimize] runs an [Objective] over trials with bounded
// parallelism, asking a [Sampler] for each trial's [Assignment] and a
// [Pruner] whether to stop a trial early, and records every [Trial]
// (complete, pruned or failed) in a [Study]. [Importance] estimates how
// much each parameter matters.
//
// # Samplers
//
//   - [Random]: independent uniform (log-uniform) draws.
//   - [Grid]: the Cartesian product of per-parameter grids, in an order
//     shuffled by a seed, then [ErrExhausted].
//   - [TPE]: the Tree-structured Parzen Estimator of Bergstra, Bardenet,
//     Bengio and Kégl, "Algorithms for Hyper-Parameter Optimization"
//     (NeurIPS 2011), univariate, with the defaults of Optuna's
//     TPESampler (Akiba et al., KDD 2019; explained in Watanabe, "Tree-
//     Structured Parzen Estimator: Understanding Its Algorithm Components
//     and Their Roles for Better Empirical Performance", 2023): 10 random
//     startup trials, γ(n) = min(⌈0.1·n⌉, 25) good trials, a prior kernel
//     of weight 1, neighbour-distance bandwidths with the magic clip,
//     older trials down-weighted after 25, 24 candidates from l(x), the
//     one maximizing log l(x) − log g(x) kept. See [TPE] for details and
//     what is not implemented.
//
// # Pruning
//
// [MedianPruner] is Optuna's median rule (Golovin et al., "Google Vizier",
// KDD 2017): after 5 complete trials, stop a trial whose best value so
// far is worse than the median of complete trials at the same step.
//
// # Determinism and resuming
//
// Trial n samples with [TrialRand](seed, n). With Parallel 1 and a fixed
// seed, a run is repeatable, and a study resumed from its trials
// ([ResumeStudy]) samples what an uninterrupted run would have, for
// Random, Grid and TPE alike (TPE depends only on the history and the
// trial's generator). With Parallel > 1 the history a trial sees depends
// on which others have finished, so TPE runs are not repeatable; Random
// ones are (per trial number), and Grid visits the same set.
//
// # Importance
//
// [Importance] is a one-way ANOVA per parameter (bias-corrected share of
// variance between binned marginal means), a light stand-in for fANOVA
// (Hutter, Hoos and Leyton-Brown, ICML 2014), normalized to sum to 1.
//
// # Measured
//
// TestTPEBeatsRandom: mean best regret after 60 trials over seeds 1-10
// (the first 10 trials are the same for both, TPE's startup being
// random):
//
//	function                    TPE      Random   TPE better on
//	bowl (log + linear), 2-D    0.048    0.290    9/10 seeds
//	categorical + float + int   0.180    1.22     9/10 seeds
//	Branin                      0.254    0.534    8/10 seeds
//
// # Why hand-written
//
// We found no maintained Go library to adopt for TPE (c-bata/goptuna,
// a Go port of Optuna, is a whole framework with its own storage); the
// algorithms are a few hundred lines, and writing them keeps the
// dependency list and the binary small and the behaviour ours to test. Numerics use only the standard
// library (math.Erfc and math.Erfcinv for truncated normals).
package tune
