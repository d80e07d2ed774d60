package main

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
)

// Layout of the SVG, in pixels. Ratios are drawn on a log2 axis centred
// on 1×, from 1/axisSpan× to axisSpan×; a bar past the end is clipped and
// ends in an arrow.
const (
	width     = 1220
	barLeft   = 380
	barWidth  = 440
	axisSpan  = 16.0
	rowHeight = 24
	groupGap  = 40
	headTop   = 110
	textLeft  = 20
	valueLeft = barLeft + barWidth + 16
	better    = "#2e7d32"
	worse     = "#c62828"
	grid      = "#dddddd"
)

// xOf maps a ratio to its x on the axis.
func xOf(ratio float64) float64 {
	ratio = math.Min(math.Max(ratio, 1/axisSpan), axisSpan)
	half := float64(barWidth) / 2
	return barLeft + half + half*math.Log2(ratio)/math.Log2(axisSpan)
}

// writeSVG draws every scenario's comparisons as bars of our cost
// relative to the peer's: left (green) where we win, right (red) where we
// lose, with the goal marked.
func writeSVG(w io.Writer, rn *run, source string) error {
	var b strings.Builder
	height := headTop
	for _, s := range scenarios {
		height += groupGap + rowHeight*len(s.rows)
	}
	height += 60
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="13">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	text(&b, textLeft, 30, "start", `font-size="20" font-weight="bold"`, "fapilog-go against zerolog and zap: our cost relative to theirs")
	text(&b, textLeft, 52, "start", `fill="#444"`, "Bars left of 1× (green): fapilog is better by that factor. Right (red): worse. Black tick: the goal. Log scale.")
	text(&b, xOf(1)-8, 76, "end", `fill="`+better+`"`, "← fapilog better")
	text(&b, xOf(1)+8, 76, "start", `fill="`+worse+`"`, "fapilog worse →")
	for _, t := range []float64{1 / 16.0, 1 / 4.0, 1, 4, 16} {
		x := xOf(t)
		text(&b, x, 96, "middle", `fill="#444"`, ratioLabel(t))
		fmt.Fprintf(&b, `<line x1="%.1f" y1="102" x2="%.1f" y2="%d" stroke="%s"/>`+"\n", x, x, height-60, gridColor(t))
	}

	y := headTop
	for _, s := range scenarios {
		y += groupGap
		title := s.title
		if note := absNote(s, rn); note != "" {
			title += " — " + note
		}
		text(&b, textLeft, float64(y-10), "start", `font-weight="bold" font-size="14"`, title)
		for _, r := range s.results(rn) {
			drawRow(&b, s, r, y)
			y += rowHeight
		}
	}
	foot := fmt.Sprintf("Medians of %d runs from %s. %s", rn.count(), source, machine(rn))
	text(&b, textLeft, float64(height-24), "start", `fill="#444"`, foot)
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func drawRow(b *strings.Builder, s scenario, r result, y int) {
	mid := float64(y) + rowHeight/2
	text(b, textLeft, mid+4, "start", "", r.label+dropNote(r))
	if !r.ok {
		text(b, valueLeft, mid+4, "start", `fill="#888"`, "not in this run")
		return
	}
	x0, x1 := xOf(1), xOf(r.ratio)
	color := better
	if r.ratio > 1 {
		color = worse
	}
	left, w := math.Min(x0, x1), math.Abs(x1-x0)
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="%s"/>`+"\n", left, float64(y)+5, math.Max(w, 1), rowHeight-10, color)
	if r.ratio > axisSpan || r.ratio < 1/axisSpan {
		dir := 1.0
		if r.ratio < 1 {
			dir = -1
		}
		tip := x1 + dir*8
		fmt.Fprintf(b, `<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="%s"/>`+"\n", x1, float64(y)+3, tip, mid, x1, float64(y)+rowHeight-3, color)
	}
	if r.goal > 0 {
		gx := xOf(r.goal)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="black" stroke-width="3"/>`+"\n", gx, y+1, gx, y+rowHeight-1)
	}
	val := fmt.Sprintf("%s vs %s: %s", s.metric.format(r.ourValue), s.metric.format(r.peerValue), verdict(r.ratio))
	if g := goalText(r); g != "" {
		val += " · " + g
	}
	text(b, valueLeft, mid+4, "start", "", val)
}

// absResult returns our figure held to the scenario's absolute goal and
// whether it meets it; ok is false if there is none.
func absResult(s scenario, rn *run) (v float64, met, ok bool) {
	if s.absName == "" {
		return 0, false, false
	}
	v, ok = rn.median(s.absName, s.metric.unit)
	return v, v < s.absGoal, ok
}

// absNote says how our figure fares against the scenario's absolute goal.
func absNote(s scenario, rn *run) string {
	v, met, ok := absResult(s, rn)
	if !ok {
		return ""
	}
	return fmt.Sprintf("async p99 %s, goal < %s: %s", s.metric.format(v), s.metric.format(s.absGoal), metWord(met))
}

func metWord(met bool) string {
	if met {
		return "met"
	}
	return "missed"
}

// dropNote warns that the peer's figure is for a logger that lost records.
func dropNote(r result) string {
	if r.peerDrops <= 0 {
		return ""
	}
	return fmt.Sprintf(" (it dropped %.0f%%)", r.peerDrops)
}

func machine(rn *run) string {
	parts := []string{}
	for _, k := range []string{"machine", "cpu", "date", "go"} {
		if v := rn.config[k]; v != "" {
			parts = append(parts, k+": "+v)
		}
	}
	return strings.Join(parts, "; ")
}

func ratioLabel(t float64) string {
	if t < 1 {
		return fmt.Sprintf("1/%.0f×", 1/t)
	}
	return fmt.Sprintf("%.0f×", t)
}

func gridColor(t float64) string {
	if t == 1 {
		return "#555555"
	}
	return grid
}

func text(b *strings.Builder, x, y float64, anchor, attrs, s string) {
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="%s" %s>%s</text>`+"\n", x, y, anchor, attrs, html.EscapeString(s))
}

// writeMarkdown writes the goals, then every comparison, as Markdown
// tables.
func writeMarkdown(w io.Writer, rn *run, source string) error {
	var b strings.Builder
	b.WriteString("Ratios are fapilog's cost over the peer's (for throughput, the peer's rate over ours): below 1× fapilog is better.\n\n")
	b.WriteString("| Goal | fapilog | peer | result | goal |\n|---|--:|--:|---|---|\n")
	for _, s := range scenarios {
		for _, r := range s.results(rn) {
			if r.goal > 0 {
				fmt.Fprintf(&b, "| %s · %s ≤ %.2g× | %s | %s |\n", s.short, r.label, r.goal, figures(s, r), metWord(r.met()))
			}
		}
		if v, met, ok := absResult(s, rn); ok {
			fmt.Fprintf(&b, "| %s · async p99 < %s | %s | – | – | %s |\n", s.short, s.metric.format(s.absGoal), s.metric.format(v), metWord(met))
		}
	}
	b.WriteString("\n| Scenario | Comparison | fapilog | peer | result | goal |\n|---|---|--:|--:|---|---|\n")
	for _, s := range scenarios {
		title := s.title
		for _, r := range s.results(rn) {
			fmt.Fprintf(&b, "| %s | %s%s | %s | %s |\n", title, r.label, dropNote(r), figures(s, r), goalText(r))
			title = ""
		}
	}
	fmt.Fprintf(&b, "\nMedians of %d runs from `%s`. %s\n", rn.count(), source, machine(rn))
	_, err := io.WriteString(w, b.String())
	return err
}

// figures is a table's "fapilog | peer | result" cells for r.
func figures(s scenario, r result) string {
	if !r.ok {
		return "– | – | not in this run"
	}
	return s.metric.format(r.ourValue) + " | " + s.metric.format(r.peerValue) + " | " + verdict(r.ratio)
}
