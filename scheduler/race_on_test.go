//go:build race

package scheduler

// raceOn: the race detector slows the weeks-long simulations several
// times; they run a shorter span then.
const raceOn = true
