package demo

import (
	"hash/fnv"
	"math/rand/v2"
)

// newRand returns a generator for one stream of the demo. Separate streams
// (planning, each entry, each attachment, each dataset) keep the output of
// one part unchanged when another part draws more or fewer numbers, e.g.
// entries are the same with and without attachment files.
func newRand(seed int64, stream string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(stream))
	return rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
}

// pick returns a random element of xs.
func pick[T any](r *rand.Rand, xs []T) T {
	return xs[r.IntN(len(xs))]
}

// pickWeighted returns an index drawn with the given weights.
func pickWeighted(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

// chance reports true with probability pct/100.
func chance(r *rand.Rand, pct int) bool {
	return r.IntN(100) < pct
}

// between returns an integer in [lo, hi].
func between(r *rand.Rand, lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

// pickN returns n distinct elements of xs in random order (all of them
// when n >= len(xs)).
func pickN[T any](r *rand.Rand, xs []T, n int) []T {
	idx := r.Perm(len(xs))
	if n > len(xs) {
		n = len(xs)
	}
	out := make([]T, n)
	for i := 0; i < n; i++ {
		out[i] = xs[idx[i]]
	}
	return out
}
