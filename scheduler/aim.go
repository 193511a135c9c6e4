package scheduler

import (
	"math"
	"slices"
	"time"
)

// aimOffsets places n attempts of a burst on a path whose delay varies
// from request to request. Each offset x is when an attempt should
// typically (at the median arrival) reach the server, after the opening;
// the median itself is known only to within −early…+late (late may be
// larger: a busy machine only ever delays a send), and each request's own
// arrival spreads evenly over width around it. An attempt aimed at x
// then lands within lateGoal after the opening with probability
//
//	p(x+δ) = |[x+δ−width/2, x+δ+width/2] ∩ [0, lateGoal]| / width
//
// for an error δ of the median (evenly spread over −early…+late, the
// same for the whole burst), independently of the other attempts. The offsets are
// chosen one at a time (greedily), each where it most lowers the chance
// that no attempt lands on time, averaged over δ; among equally good
// places, the first is nearest the middle of the goal, and each next
// farthest from those already chosen, so that attempts with nothing to
// choose between them still spread out (robust to what the model leaves
// out: a machine that stalls, a heavier tail). miss is that chance, as
// the model sees it. Offsets are returned sorted.
//
// With width at least lateGoal plus early and late (20 ms of jitter, a
// median known to ±4 ms), every attempt keeps its best chance,
// lateGoal/width, whatever δ is, and they gather around the middle of
// the goal (earlier by half of what late adds); on a narrower path they
// tile the uncertainty instead.
func aimOffsets(early, late, width time.Duration, n int) (offsets []time.Duration, miss float64) {
	const step = 250 * time.Microsecond
	early, late = max(early, 0), max(late, 0)
	width = max(width, step) // a steady path: one instant, give or take the grid
	goal := float64(lateGoal)
	w := float64(width)
	p := func(x float64) float64 {
		overlap := min(x+w/2, goal) - max(x-w/2, 0)
		return max(overlap, 0) / w
	}
	// δ: evenly over −early…+late.
	const deltas = 41
	ds := make([]float64, deltas)
	for i := range ds {
		ds[i] = -float64(early) + float64(early+late)*float64(i)/float64(deltas-1)
	}
	missAt := make([]float64, deltas) // chance no chosen attempt lands on time, per δ
	for i := range missAt {
		missAt[i] = 1
	}
	var cands []float64
	for x := -(late + width/2); x <= early+width/2+lateGoal; x += step {
		cands = append(cands, float64(x))
	}
	middle := goal/2 - float64(late-early)/2
	for range n {
		best, bestX, bestTie := -1.0, 0.0, 0.0
		for _, x := range cands {
			gain := 0.0
			for i, d := range ds {
				gain += missAt[i] * p(x+d)
			}
			tie := -math.Abs(x - middle) // first: nearest the middle
			if len(offsets) > 0 {
				tie = math.Inf(1)
				for _, o := range offsets {
					tie = min(tie, math.Abs(x-float64(o)))
				}
			}
			switch {
			case gain > best*(1+1e-9)+1e-12:
				best, bestX, bestTie = gain, x, tie
			case gain >= best*(1-1e-9)-1e-12 && tie > bestTie:
				bestX, bestTie = x, tie
			}
		}
		offsets = append(offsets, time.Duration(bestX))
		for i, d := range ds {
			missAt[i] *= 1 - p(bestX+d)
		}
	}
	slices.Sort(offsets)
	for _, m := range missAt {
		miss += m
	}
	return offsets, miss / deltas
}
