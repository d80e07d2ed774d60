package main

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// A run is one saved `go test -bench` output: its configuration lines
// ("key: value") and every sample of every benchmark.
type run struct {
	config  map[string]string
	samples map[string]map[string][]float64 // name → unit → values
}

var (
	configLine = regexp.MustCompile(`^([a-z][^\s:]*):\s*(.*)$`)
	procSuffix = regexp.MustCompile(`-\d+$`)
)

// parse reads the output of go test -bench, as benchstat does: a result
// line is the name, the iteration count, then value-unit pairs.
func parse(r io.Reader) (*run, error) {
	res := &run{config: map[string]string{}, samples: map[string]map[string][]float64{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := configLine.FindStringSubmatch(line); m != nil {
			res.config[m[1]] = m[2]
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := procSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
		units := res.samples[name]
		if units == nil {
			units = map[string][]float64{}
			res.samples[name] = units
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%q: %v", line, err)
			}
			units[f[i+1]] = append(units[f[i+1]], v)
		}
	}
	return res, sc.Err()
}

// median returns the median of the samples of name in unit, and whether
// there are any.
func (r *run) median(name, unit string) (float64, bool) {
	vs := slices.Clone(r.samples[name][unit])
	if len(vs) == 0 {
		return 0, false
	}
	slices.Sort(vs)
	n := len(vs)
	if n%2 == 1 {
		return vs[n/2], true
	}
	return (vs[n/2-1] + vs[n/2]) / 2, true
}

// count returns the most samples any benchmark has.
func (r *run) count() int {
	n := 0
	for _, units := range r.samples {
		for _, vs := range units {
			n = max(n, len(vs))
		}
	}
	return n
}
