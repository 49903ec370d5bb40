// Package tune searches hyperparameters: a typed search [Space], a
// [Study] of [Trial] values, samplers ([Random], [Grid], [TPE]) behind
// the one-method [Sampler] interface, a [MedianPruner], the [Optimize]
// runner and a parameter [Importance] estimate. It is the engine of
// `osler tune classifier`.
package tune
