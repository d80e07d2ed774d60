// Command chart draws the main comparisons of a saved benchmark run as an
// SVG chart and a Markdown table: for each scenario, fapilog's figure
// against zerolog's and zap's (and the other peers'), as a ratio, with
// the goal each must meet. Wins and losses are drawn alike.
//
// Usage, from the benchmarks directory:
//
//	go run ./cmd/chart [-svg results/chart.svg] [-md results/table.md] results/DATE.txt
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func main() {
	svgPath := flag.String("svg", "results/chart.svg", "where to write the SVG chart")
	mdPath := flag.String("md", "results/table.md", "where to write the Markdown table")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: chart [-svg file] [-md file] results.txt")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := chart(flag.Arg(0), *svgPath, *mdPath); err != nil {
		fmt.Fprintln(os.Stderr, "chart:", err)
		os.Exit(1)
	}
}

func chart(in, svgPath, mdPath string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	rn, err := parse(f)
	if err != nil {
		return err
	}
	if len(rn.samples) == 0 {
		return fmt.Errorf("%s: no benchmark results", in)
	}
	source := filepath.Base(in)
	for _, out := range []struct {
		path  string
		write func(io.Writer, *run, string) error
	}{{svgPath, writeSVG}, {mdPath, writeMarkdown}} {
		w, err := os.Create(out.path)
		if err != nil {
			return err
		}
		if err := out.write(w, rn, source); err != nil {
			w.Close()
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
	}
	return nil
}
