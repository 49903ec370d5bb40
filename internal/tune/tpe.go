package tune

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
)

// TPE is the Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio
// and Kégl, "Algorithms for Hyper-Parameter Optimization", NeurIPS 2011),
// univariate, with the defaults of Optuna's TPESampler (Watanabe,
// "Tree-Structured Parzen Estimator: Understanding Its Algorithm
// Components and Their Roles for Better Empirical Performance", 2023,
// describes them). Zero fields take the defaults.
//
// Until StartupTrials trials are complete or pruned it samples as
// [Random]. Then it ranks those trials (complete ones by value, pruned
// ones after them, by steps reached and last value), calls the best
// Gamma(n) of them good and the rest bad, fits for each parameter a
// Parzen estimator l(x) to the good values and g(x) to the bad ones,
// draws EICandidates values from l and keeps the one maximizing
// log l(x) − log g(x), which maximizes expected improvement. Failed and
// running trials are ignored.
//
// Numeric estimators are mixtures of Gaussians truncated to the
// parameter's interval, in log space for log parameters (ints on an
// interval widened by half a step, rounded after sampling): one kernel
// per observation centred on it plus a prior kernel centred on the
// interval with σ = its width. Each kernel's σ is the larger distance to
// its neighbours (the interval's ends counting as neighbours, except for
// the outermost kernels), clipped to [width/min(100, 1+kernels), width]
// (the "magic clip"). Categorical estimators give each observation a
// distribution with mass 1 on its choice plus PriorWeight/kernels on
// every choice, plus a uniform prior kernel. Kernel weights are 1 for the
// 25 most recent observations and ramp linearly from 1/n for older ones;
// the prior kernel weighs PriorWeight.
//
// Not implemented: the multivariate and grouped variants, constant-liar
// for parallel runs, and Optuna's exact discrete kernels for ints (ours
// are continuous densities evaluated at the rounded value).
type TPE struct {
	StartupTrials int             // random trials first; default 10
	EICandidates  int             // draws from l(x) per parameter; default 24
	PriorWeight   float64         // weight of the prior kernel; default 1
	Gamma         func(n int) int // number of good trials; default [DefaultGamma]
}

var _ Sampler = TPE{}

// DefaultGamma is min(ceil(0.1·n), 25), Optuna's default split.
func DefaultGamma(n int) int { return min(int(math.Ceil(0.1*float64(n))), 25) }

func (t TPE) withDefaults() TPE {
	if t.StartupTrials == 0 {
		t.StartupTrials = 10
	}
	if t.EICandidates == 0 {
		t.EICandidates = 24
	}
	if t.PriorWeight == 0 {
		t.PriorWeight = 1
	}
	if t.Gamma == nil {
		t.Gamma = DefaultGamma
	}
	return t
}

// Sample proposes the next assignment.
func (t TPE) Sample(h *History, space *Space, rng *rand.Rand) (Assignment, error) {
	t = t.withDefaults()
	obs := h.withState(Complete, Pruned)
	if len(obs) < t.StartupTrials || len(obs) < 2 {
		return Random{}.Sample(h, space, rng)
	}
	good, bad := splitTrials(h.Direction, obs, t.Gamma(len(obs)))
	a := make(Assignment, len(space.Params))
	for _, p := range space.Params {
		a[p.Name] = t.sampleParam(p, good, bad, rng)
	}
	return a, nil
}

// splitTrials ranks trials best first and returns the best nGood and the
// rest, each in number order (the order the kernel weights assume).
func splitTrials(d Direction, trials []Trial, nGood int) (good, bad []Trial) {
	ranked := slices.Clone(trials)
	slices.SortStableFunc(ranked, func(a, b Trial) int {
		if a.State != b.State { // complete before pruned
			return cmp.Compare(stateRank(a.State), stateRank(b.State))
		}
		if a.State == Pruned && len(a.Intermediate) != len(b.Intermediate) {
			return cmp.Compare(len(b.Intermediate), len(a.Intermediate)) // further is better
		}
		switch {
		case d.Better(a.Value, b.Value):
			return -1
		case d.Better(b.Value, a.Value):
			return 1
		}
		return cmp.Compare(a.Number, b.Number)
	})
	nGood = min(max(nGood, 1), len(ranked)-1)
	good, bad = ranked[:nGood], ranked[nGood:]
	byNumber := func(a, b Trial) int { return cmp.Compare(a.Number, b.Number) }
	slices.SortFunc(good, byNumber)
	slices.SortFunc(bad, byNumber)
	return good, bad
}

func stateRank(s State) int {
	if s == Complete {
		return 0
	}
	return 1
}

// sampleParam picks one parameter's value by expected improvement.
func (t TPE) sampleParam(p Param, good, bad []Trial, rng *rand.Rand) Value {
	if p.numeric() {
		lo, hi := p.bounds()
		if !(hi > lo) {
			return Num(p.Low)
		}
		l := newNumericParzen(observe(p, good), lo, hi, t.PriorWeight)
		g := newNumericParzen(observe(p, bad), lo, hi, t.PriorWeight)
		var best Value
		bestScore := math.Inf(-1)
		for range t.EICandidates {
			v := p.external(l.sample(rng))
			x := p.internal(v)
			if s := l.logPDF(x) - g.logPDF(x); s > bestScore || bestScore == math.Inf(-1) {
				best, bestScore = v, s
			}
		}
		return best
	}
	l := newCategoricalParzen(observe(p, good), p.nChoices(), t.PriorWeight)
	g := newCategoricalParzen(observe(p, bad), p.nChoices(), t.PriorWeight)
	best, bestScore := 0, math.Inf(-1)
	for range t.EICandidates {
		c := sampleIndex(l, rng)
		if s := math.Log(l[c]) - math.Log(g[c]); s > bestScore {
			best, bestScore = c, s
		}
	}
	return p.choice(best)
}

// observation is one trial's value of a parameter (internal coordinates)
// and its kernel weight.
type observation struct{ x, w float64 }

// observe returns the trials' values of p with Optuna's default weights:
// 1 for the 25 most recent, a linear ramp from 1/n up to 1 for older ones.
// Trials without a valid value of p (from another space) are skipped.
func observe(p Param, trials []Trial) []observation {
	var obs []observation
	for _, t := range trials {
		v, ok := t.Params[p.Name]
		if !ok || p.check(v) != nil {
			continue
		}
		x := float64(p.index(v))
		if p.numeric() {
			x = p.internal(v)
		}
		obs = append(obs, observation{x: x, w: 1})
	}
	n := len(obs)
	if ramp := n - 25; ramp > 0 {
		for i := range ramp { // numpy.linspace(1/n, 1, ramp)
			w := 1.0
			if ramp > 1 {
				w = 1/float64(n) + (1-1/float64(n))*float64(i)/float64(ramp-1)
			}
			obs[i].w = w
		}
	}
	return obs
}

// numericParzen is a mixture of Gaussians truncated to [lo, hi].
type numericParzen struct {
	lo, hi              float64
	weights, mus, sigma []float64
	logNorm             []float64 // log(weight / truncated mass) per kernel
}

func newNumericParzen(obs []observation, lo, hi, priorWeight float64) *numericParzen {
	n := len(obs) + 1
	pz := &numericParzen{lo: lo, hi: hi, weights: make([]float64, n), mus: make([]float64, n), sigma: make([]float64, n)}
	for i, o := range obs {
		pz.mus[i], pz.weights[i] = o.x, o.w
	}
	prior := n - 1
	pz.mus[prior], pz.weights[prior] = (lo+hi)/2, priorWeight
	width := hi - lo

	// σ: the larger gap to a neighbour, the interval's ends included.
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(pz.mus[a], pz.mus[b]) })
	ext := make([]float64, n+2)
	ext[0], ext[n+1] = lo, hi
	for i, k := range order {
		ext[i+1] = pz.mus[k]
	}
	for i, k := range order {
		pz.sigma[k] = max(ext[i+1]-ext[i], ext[i+2]-ext[i+1])
	}
	if n+2 >= 4 { // the outermost kernels ignore the interval's ends
		pz.sigma[order[0]] = ext[2] - ext[1]
		pz.sigma[order[n-1]] = ext[n] - ext[n-1]
	}
	minSigma := width / min(100, 1+float64(n)) // the magic clip
	for k := range pz.sigma {
		pz.sigma[k] = min(max(pz.sigma[k], minSigma), width)
	}
	pz.sigma[prior] = width

	var sum float64
	for _, w := range pz.weights {
		sum += w
	}
	pz.logNorm = make([]float64, n)
	for k := range pz.weights {
		pz.weights[k] /= sum
		mass := normMass((lo-pz.mus[k])/pz.sigma[k], (hi-pz.mus[k])/pz.sigma[k])
		pz.logNorm[k] = math.Log(pz.weights[k]) - math.Log(mass)
	}
	return pz
}

// sample draws from the mixture.
func (pz *numericParzen) sample(rng *rand.Rand) float64 {
	k := sampleIndex(pz.weights, rng)
	mu, s := pz.mus[k], pz.sigma[k]
	z := truncNormal((pz.lo-mu)/s, (pz.hi-mu)/s, rng)
	return min(max(mu+s*z, pz.lo), pz.hi)
}

// logPDF is the mixture's log density at x.
func (pz *numericParzen) logPDF(x float64) float64 {
	m := math.Inf(-1)
	terms := make([]float64, len(pz.mus))
	for k := range pz.mus {
		z := (x - pz.mus[k]) / pz.sigma[k]
		terms[k] = pz.logNorm[k] - 0.5*z*z - math.Log(pz.sigma[k]) - 0.5*math.Log(2*math.Pi)
		m = max(m, terms[k])
	}
	var sum float64
	for _, t := range terms {
		sum += math.Exp(t - m)
	}
	return m + math.Log(sum)
}

// newCategoricalParzen returns the mixture's probability of each choice.
func newCategoricalParzen(obs []observation, nChoices int, priorWeight float64) []float64 {
	nKernels := float64(len(obs) + 1)
	probs := make([]float64, nChoices)
	var total float64
	add := func(choice int, w float64) { // one kernel, normalized, times w
		rowSum := priorWeight/nKernels*float64(nChoices) + 1
		if choice < 0 {
			rowSum -= 1
		}
		for c := range probs {
			q := priorWeight / nKernels
			if c == choice {
				q++
			}
			probs[c] += w * q / rowSum
		}
		total += w
	}
	for _, o := range obs {
		add(int(o.x), o.w)
	}
	add(-1, priorWeight) // the uniform prior kernel
	for c := range probs {
		probs[c] /= total
	}
	return probs
}

// sampleIndex draws i with probability w[i]/sum(w).
func sampleIndex(w []float64, rng *rand.Rand) int {
	var sum float64
	for _, x := range w {
		sum += x
	}
	u := rng.Float64() * sum
	for i, x := range w {
		if u < x {
			return i
		}
		u -= x
	}
	return len(w) - 1
}

// phi is the standard normal CDF; phiC is 1 − phi, accurate in the tail.
func phi(z float64) float64  { return 0.5 * math.Erfc(-z/math.Sqrt2) }
func phiC(z float64) float64 { return 0.5 * math.Erfc(z/math.Sqrt2) }

// normMass is P(a ≤ Z ≤ b) for a standard normal Z, never 0.
func normMass(a, b float64) float64 {
	var m float64
	if a > 0 {
		m = phiC(a) - phiC(b)
	} else {
		m = phi(b) - phi(a)
	}
	return max(m, math.SmallestNonzeroFloat64)
}

// truncNormal draws a standard normal truncated to [a, b] by inverting
// the CDF, on the side of zero where it is accurate.
func truncNormal(a, b float64, rng *rand.Rand) float64 {
	if a > 0 { // mirror the right tail to the left, where phi is accurate
		return -truncNormal(-b, -a, rng)
	}
	pa, pb := phi(a), phi(b)
	if !(pb > pa) {
		return a + rng.Float64()*(b-a)
	}
	u := pa + rng.Float64()*(pb-pa)
	z := -math.Sqrt2 * math.Erfcinv(2*u)
	return min(max(z, a), b)
}
