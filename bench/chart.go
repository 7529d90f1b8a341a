package main

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// drawChart draws the sweep as two panels side by side, throughput and Emit
// p99 against producers (log scale), one line per sink count, into path
// (.svg or .png).
func drawChart(path, kind string, pts []SweepPoint) error {
	tput := newPanel(fmt.Sprintf("Throughput, %s sinks", kind), "events/s (thousands)")
	lat := newPanel("Emit latency p99", "µs (log scale)")
	tput.Y.Min = 0
	tput.Legend.Top, tput.Legend.Left = false, true
	lat.Y.Scale = plot.LogScale{}
	lat.Y.Tick.Marker = steps125{}
	lat.Legend.Top, lat.Legend.Left = true, true

	var prods, sinkCounts []int
	for _, p := range pts {
		if !slices.Contains(prods, p.Producers) {
			prods = append(prods, p.Producers)
		}
		if !slices.Contains(sinkCounts, p.Sinks) {
			sinkCounts = append(sinkCounts, p.Sinks)
		}
	}
	ticks := make([]plot.Tick, len(prods))
	for i, n := range prods {
		ticks[i] = plot.Tick{Value: float64(n), Label: strconv.Itoa(n)}
	}
	for _, p := range []*plot.Plot{tput, lat} {
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
	}
	for i, ns := range sinkCounts {
		var xy, xl plotter.XYs
		for _, p := range pts {
			if p.Sinks != ns {
				continue
			}
			xy = append(xy, plotter.XY{X: float64(p.Producers), Y: p.EventsPerSec / 1e3})
			if p.Emit != nil && p.Emit.P99us > 0 {
				xl = append(xl, plotter.XY{X: float64(p.Producers), Y: p.Emit.P99us})
			}
		}
		label := fmt.Sprintf("%d sink", ns)
		if ns > 1 {
			label += "s"
		}
		if err := addLine(tput, label, xy, i); err != nil {
			return err
		}
		if err := addLine(lat, label, xl, i); err != nil {
			return err
		}
	}
	for _, a := range []*plot.Axis{&tput.X, &lat.X, &lat.Y} {
		spanLog(a)
	}
	return savePanels(path, tput, lat)
}

// spanLog gives a log-scale axis a positive range of its own where its data
// leave none: gonum widens an axis whose points share one value by ±1, which
// for a log scale reaches zero or below and panics. One producer count, or
// p99s that fall in the same histogram bucket, are enough to get there.
func spanLog(a *plot.Axis) {
	switch {
	case math.IsInf(a.Min, 0) || math.IsInf(a.Max, 0) || a.Max <= 0:
		a.Min, a.Max = 1, 10
	case a.Min == a.Max:
		a.Min, a.Max = a.Min/2, a.Max*2
	}
}

func newPanel(title, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "producer goroutines (log scale)"
	p.X.Scale = plot.LogScale{}
	p.Y.Label.Text = yLabel
	p.Add(plotter.NewGrid())
	return p
}

// steps125 marks a log axis at 1, 2 and 5 times each power of ten, which
// reads better than powers of ten alone over a range of one or two decades.
type steps125 struct{}

// Ticks implements plot.Ticker.
func (steps125) Ticks(lo, hi float64) []plot.Tick {
	if lo <= 0 || hi < lo {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	var ts []plot.Tick
	for decade := math.Pow(10, math.Floor(math.Log10(lo))); decade <= hi; decade *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if v := m * decade; v >= lo && v <= hi {
				ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
			}
		}
	}
	if len(ts) < 3 {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	return ts
}

// palette is colour-blind friendly (Okabe–Ito).
var palette = []color.Color{
	color.RGBA{0, 114, 178, 255}, color.RGBA{230, 159, 0, 255},
	color.RGBA{0, 158, 115, 255}, color.RGBA{204, 121, 167, 255},
	color.RGBA{86, 180, 233, 255}, color.RGBA{213, 94, 0, 255},
}

func addLine(p *plot.Plot, label string, xy plotter.XYs, i int) error {
	if len(xy) == 0 {
		return nil
	}
	l, s, err := plotter.NewLinePoints(xy)
	if err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	c := palette[i%len(palette)]
	l.Color, s.Color = c, c
	l.Width = vg.Points(1.5)
	s.Shape = draw.CircleGlyph{}
	p.Add(l, s)
	p.Legend.Add(label, l, s)
	return nil
}

// savePanels lays the plots out in one row and writes them to path.
func savePanels(path string, plots ...*plot.Plot) error {
	const width, height = 11 * vg.Inch, 4 * vg.Inch
	var canvas vg.CanvasWriterTo
	if strings.HasSuffix(path, ".png") {
		canvas = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(110))}
	} else {
		canvas = vgsvg.New(width, height)
	}
	dc := draw.New(canvas)
	tiles := draw.Tiles{Rows: 1, Cols: len(plots), PadX: vg.Millimeter * 6, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	canvases := plot.Align([][]*plot.Plot{plots}, tiles, dc)
	for i, p := range plots {
		p.Draw(canvases[0][i])
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	if _, err := canvas.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("chart: writing %s: %w", path, err)
	}
	return f.Close()
}
