//go:build !race

package fapilog

const raceEnabled = false
