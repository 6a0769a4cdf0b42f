//go:build race

package sample

// raceEnabled: the race detector slows code several-fold, so timing guards are skipped.
const raceEnabled = true
