// Command recurrent times training steps of a recurrent model through the
// public API, Sequential(Input(T, 16), LSTM(64) or GRU(64)) with MSE and
// Adam, TrainOnBatch at batch 32 in float32, beside PyTorch's nn.LSTM /
// nn.GRU doing the same (bench/torch_recurrent.py), and prints a Markdown
// table of the medians and the ratios.
//
//	go run ./bench/recurrent                                  # both cells, T = 20, 80, 320, 1 and 2 threads
//	go run ./bench/recurrent --cells lstm --steps 20 --threads 1 --rounds 3
//
// Each measurement is its own process, Profundo's and PyTorch's in
// alternation, so that peak RSS is the configuration's own. A process
// builds the model, runs one step (graph build and compile: "build s"),
// then --warmup steps, then --runs timed runs of --iters steps each, and
// reports the median samples/s, samples per CPU-second (user + system
// time of the process over the timed runs) and peak RSS (ru_maxrss).
// Profundo runs with GOMAXPROCS = threads; PyTorch with
// torch.set_num_threads(threads), OPENBLAS_NUM_THREADS=1 and
// OMP_WAIT_POLICY=PASSIVE.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
)

// result is what one process measured.
type result struct {
	Impl           string  `json:"impl"`
	Cell           string  `json:"cell"`
	Steps          int     `json:"steps"`
	Threads        int     `json:"threads"`
	SamplesPerS    float64 `json:"samples_per_s"`
	SamplesPerCPUS float64 `json:"samples_per_cpu_s"`
	MsPerStep      float64 `json:"ms_per_step"`
	BuildS         float64 `json:"build_s"`
	PeakRSSMiB     float64 `json:"peak_rss_mib"`
}

func main() {
	one := flag.Bool("one", false, "measure one configuration in this process and print its JSON")
	cells := flag.String("cells", "lstm,gru", "cells, comma-separated (lstm, gru)")
	stepList := flag.String("steps", "20,80,320", "sequence lengths, comma-separated")
	threadList := flag.String("threads", "1,2", "thread counts, comma-separated")
	rounds := flag.Int("rounds", 3, "alternating rounds per configuration")
	batch := flag.Int("batch", 32, "batch size")
	features := flag.Int("features", 16, "features per step")
	units := flag.Int("units", 64, "units of the recurrent layer")
	iters := flag.Int("iters", 0, "steps per timed run; 0 scales with the length (about 640/T, at least 3)")
	runs := flag.Int("runs", 3, "timed runs per process; the median is reported")
	warmup := flag.Int("warmup", 2, "untimed steps after the first")
	python := flag.String("python", "/usr/bin/python3", "the Python that has torch")
	script := flag.String("torch-script", "bench/torch_recurrent.py", "the PyTorch side")
	out := flag.String("json", "", "file to write every round's results to; empty for none")
	flag.Parse()
	if *one {
		cell, steps, threads := *cells, atoi(*stepList), atoi(*threadList)
		r, err := measure(cell, steps, threads, *batch, *features, *units, itersFor(*iters, steps), *runs, *warmup)
		if err != nil {
			fmt.Fprintln(os.Stderr, "recurrent:", err)
			os.Exit(1)
		}
		b, _ := json.Marshal(r)
		fmt.Println("JSON " + string(b))
		return
	}
	if err := sideBySide(strings.Split(*cells, ","), ints(*stepList), ints(*threadList), *rounds, *batch, *features, *units, *iters, *runs, *warmup, *python, *script, *out); err != nil {
		fmt.Fprintln(os.Stderr, "recurrent:", err)
		os.Exit(1)
	}
}

func itersFor(iters, steps int) int {
	if iters > 0 {
		return iters
	}
	return max(3, 640/steps)
}

func atoi(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		fmt.Fprintf(os.Stderr, "recurrent: %q is not a number\n", s)
		os.Exit(2)
	}
	return n
}

func ints(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		out = append(out, atoi(f))
	}
	return out
}

// measure builds and times the model in this process.
func measure(cell string, steps, threads, batch, features, units, iters, runs, warmup int) (result, error) {
	runtime.GOMAXPROCS(threads)
	var rnn layers.Layer
	switch cell {
	case "lstm":
		rnn = &layers.LSTM{Units: units}
	case "gru":
		rnn = &layers.GRU{Units: units}
	default:
		return result{}, fmt.Errorf("unknown cell %q (known: lstm, gru)", cell)
	}
	m := models.NewSequential(&layers.Input{Shape: layers.Shape{steps, features}}, rnn)
	if err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}, Seed: 1}); err != nil {
		return result{}, err
	}
	rng := rand.New(rand.NewSource(1))
	x := tensor.New(tensor.WithShape(batch, steps, features), tensor.Of(tensor.Float32))
	y := tensor.New(tensor.WithShape(batch, units), tensor.Of(tensor.Float32))
	for i := range x.Data().([]float32) {
		x.Data().([]float32)[i] = float32(rng.NormFloat64())
	}
	for i := range y.Data().([]float32) {
		y.Data().([]float32)[i] = float32(rng.NormFloat64())
	}
	start := time.Now()
	if _, err := m.TrainOnBatch(x, y, nil); err != nil {
		return result{}, err
	}
	build := time.Since(start).Seconds()
	for i := 0; i < warmup; i++ {
		if _, err := m.TrainOnBatch(x, y, nil); err != nil {
			return result{}, err
		}
	}
	var rates, cpuRates []float64
	for r := 0; r < runs; r++ {
		cpu0 := cpuSeconds()
		t0 := time.Now()
		for i := 0; i < iters; i++ {
			if _, err := m.TrainOnBatch(x, y, nil); err != nil {
				return result{}, err
			}
		}
		dt, dcpu := time.Since(t0).Seconds(), cpuSeconds()-cpu0
		rates = append(rates, float64(batch*iters)/dt)
		cpuRates = append(cpuRates, float64(batch*iters)/dcpu)
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	med := median(rates)
	return result{
		Impl: "profundo", Cell: cell, Steps: steps, Threads: threads,
		SamplesPerS: med, SamplesPerCPUS: median(cpuRates), MsPerStep: 1000 * float64(batch) / med,
		BuildS: build - 1/med*float64(batch), PeakRSSMiB: float64(ru.Maxrss) / 1024,
	}, nil
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// sideBySide runs every configuration in its own processes, Profundo's
// and PyTorch's in alternation, for rounds rounds, and prints the medians.
func sideBySide(cells []string, stepList, threadList []int, rounds, batch, features, units, iters, runs, warmup int, python, script, out string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var all []result
	type key struct {
		cell           string
		steps, threads int
	}
	med := map[key]map[string][]result{}
	for _, cell := range cells {
		for _, steps := range stepList {
			for _, threads := range threadList {
				k := key{cell, steps, threads}
				med[k] = map[string][]result{}
				n := itersFor(iters, steps)
				common := []string{"--batch", fmt.Sprint(batch), "--features", fmt.Sprint(features), "--units", fmt.Sprint(units),
					"--iters", fmt.Sprint(n), "--runs", fmt.Sprint(runs), "--warmup", fmt.Sprint(warmup)}
				for r := 0; r < rounds; r++ {
					goCmd := exec.Command(self, append([]string{"--one", "--cells", cell, "--steps", fmt.Sprint(steps), "--threads", fmt.Sprint(threads)}, common...)...)
					pyCmd := exec.Command(python, append([]string{script, "--cell", cell, "--steps", fmt.Sprint(steps), "--threads", fmt.Sprint(threads)}, common...)...)
					pyCmd.Env = append(os.Environ(), "OPENBLAS_NUM_THREADS=1", "OMP_WAIT_POLICY=PASSIVE")
					cmds := []*exec.Cmd{goCmd, pyCmd}
					if r%2 == 1 {
						cmds[0], cmds[1] = cmds[1], cmds[0]
					}
					for _, c := range cmds {
						res, err := runOne(c)
						if err != nil {
							return err
						}
						fmt.Fprintf(os.Stderr, "%s %s T=%d threads=%d: %.0f samples/s, %.0f per CPU-s, build %.3f s, RSS %.0f MiB\n",
							res.Impl, cell, steps, threads, res.SamplesPerS, res.SamplesPerCPUS, res.BuildS, res.PeakRSSMiB)
						all = append(all, res)
						med[k][res.Impl] = append(med[k][res.Impl], res)
					}
				}
			}
		}
	}
	fmt.Printf("Medians of %d alternating rounds; batch %d, %d features, %d units, float32, MSE + Adam, one TrainOnBatch / optimizer step per step.\n\n", rounds, batch, features, units)
	fmt.Println("| cell | T | threads | PyTorch samples/s | Profundo samples/s | ratio | PyTorch samples/CPU-s | Profundo samples/CPU-s | ratio | Profundo ms/step | Profundo build s | PyTorch RSS MiB | Profundo RSS MiB |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, cell := range cells {
		for _, steps := range stepList {
			for _, threads := range threadList {
				k := key{cell, steps, threads}
				p, t := med[k]["profundo"], med[k]["torch"]
				f := func(rs []result, get func(result) float64) float64 {
					var v []float64
					for _, r := range rs {
						v = append(v, get(r))
					}
					return median(v)
				}
				ps, ts := f(p, func(r result) float64 { return r.SamplesPerS }), f(t, func(r result) float64 { return r.SamplesPerS })
				pc, tc := f(p, func(r result) float64 { return r.SamplesPerCPUS }), f(t, func(r result) float64 { return r.SamplesPerCPUS })
				fmt.Printf("| %s | %d | %d | %.0f | %.0f | %.2fx | %.0f | %.0f | %.2fx | %.2f | %.3f | %.0f | %.0f |\n", cell, steps, threads,
					ts, ps, ps/ts, tc, pc, pc/tc, f(p, func(r result) float64 { return r.MsPerStep }), f(p, func(r result) float64 { return r.BuildS }),
					f(t, func(r result) float64 { return r.PeakRSSMiB }), f(p, func(r result) float64 { return r.PeakRSSMiB }))
			}
		}
	}
	if out != "" {
		b, err := json.MarshalIndent(map[string]any{
			"env":  "profundo GOMAXPROCS=threads; torch set_num_threads(threads), OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE /usr/bin/python3",
			"runs": all,
		}, "", "  ")
		if err != nil {
			return err
		}
		return os.WriteFile(out, append(b, '\n'), 0o644)
	}
	return nil
}

// runOne runs c and reads the result from its "JSON " line.
func runOne(c *exec.Cmd) (result, error) {
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		return result{}, fmt.Errorf("%s: %v: %s", strings.Join(c.Args, " "), err, stderr.String())
	}
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), "JSON "); ok {
			var r result
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				return result{}, fmt.Errorf("%s: %v", strings.Join(c.Args, " "), err)
			}
			return r, nil
		}
	}
	return result{}, fmt.Errorf("%s: no JSON line in its output", strings.Join(c.Args, " "))
}
