// Command transformer times a training step of one Transformer encoder
// block (keras-hub's TransformerEncoder: d_model 128, 4 heads, feed-forward
// 512, dropout 0.1, post-norm, ReLU) on a float32 batch of [32, seq, 128]
// random inputs towards random targets, mean squared error and Adam,
// beside PyTorch 1.13's nn.TransformerEncoderLayer with the same settings
// (bench/torch_transformer.py), in alternation, for each sequence length.
//
//	go run ./bench/transformer                       # seq 128, 3 rounds
//	go run ./bench/transformer -seqs 64,128,256,512 -rounds 3
//
// Each side runs in a process of its own (so peak RSS is its own) and
// prints a JSON line; the table gives the medians over rounds of samples/s
// and CPU seconds per sample, and the peak RSS. PyTorch runs as
// ../shared/peers/README.md says: Debian's /usr/bin/python3, 2 threads,
// OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
)

// result is one side's line.
type result struct {
	Side           string  `json:"side"`
	Seq            int     `json:"seq"`
	Batch          int     `json:"batch"`
	SamplesPerS    float64 `json:"samples_per_s"`
	CPUSPerSample  float64 `json:"cpu_s_per_sample"`
	PeakRSSMiB     float64 `json:"peak_rss_mib"`
	Threads        int     `json:"threads,omitempty"`
	Torch          string  `json:"torch,omitempty"`
	GOMAXPROCS     int     `json:"gomaxprocs,omitempty"`
	Steps, Warmups int     `json:"-"`
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func peakRSSMiB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024
}

func randDense(rng *rand.Rand, shape ...int) *tensor.Dense {
	n := 1
	for _, d := range shape {
		n *= d
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

// goSide trains the block and prints its JSON line.
func goSide(seq, batch, iters, warmup, runs int) error {
	x := models.Input("x", seq, 128)
	y := models.Apply(&layers.TransformerEncoder{Name: "encoder", IntermediateDim: 512, NumHeads: 4, Dropout: 0.1}, x)
	m, err := models.NewFunctional([]*models.Node{x}, []*models.Node{y})
	if err != nil {
		return err
	}
	if err := m.Compile(models.Config{Loss: losses.MeanSquaredError{}, Optimizer: optimizers.Adam{LearningRate: 0.001}, Seed: 1}); err != nil {
		return err
	}
	rng := rand.New(rand.NewSource(1))
	xb, yb := randDense(rng, batch, seq, 128), randDense(rng, batch, seq, 128)
	stream := rand.New(rand.NewSource(2))
	step := func() error {
		_, err := m.TrainOnBatch(xb, yb, stream)
		return err
	}
	for i := 0; i < warmup; i++ {
		if err := step(); err != nil {
			return err
		}
	}
	var rates, cpus []float64
	for r := 0; r < runs; r++ {
		t0, c0 := time.Now(), cpuSeconds()
		for i := 0; i < iters; i++ {
			if err := step(); err != nil {
				return err
			}
		}
		dt, dc := time.Since(t0).Seconds(), cpuSeconds()-c0
		rates = append(rates, float64(batch*iters)/dt)
		cpus = append(cpus, dc/float64(batch*iters))
	}
	out, _ := json.Marshal(result{Side: "profundo", Seq: seq, Batch: batch, SamplesPerS: median(rates), CPUSPerSample: median(cpus),
		PeakRSSMiB: peakRSSMiB(), GOMAXPROCS: runtime.GOMAXPROCS(0)})
	fmt.Println("JSON " + string(out))
	return nil
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// run runs a command and parses its JSON line.
func run(cmd *exec.Cmd) (result, error) {
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return result{}, fmt.Errorf("%v: %v\n%s", cmd.Args, err, errb.String())
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, "JSON "); ok {
			var r result
			if err := json.Unmarshal([]byte(rest), &r); err != nil {
				return result{}, err
			}
			return r, nil
		}
	}
	return result{}, fmt.Errorf("%v printed no JSON line:\n%s", cmd.Args, out.String())
}

func main() {
	side := flag.String("side", "", "internal: run one side (go) and print its JSON line")
	seqs := flag.String("seqs", "128", "comma-separated sequence lengths")
	batch := flag.Int("batch", 32, "batch size")
	rounds := flag.Int("rounds", 3, "alternating rounds per length")
	iters := flag.Int("iters", 5, "timed steps per run")
	warmup := flag.Int("warmup", 2, "untimed steps first")
	runs := flag.Int("runs", 3, "timed runs per side per round (median)")
	python := flag.String("python", "/usr/bin/python3", "the interpreter with python3-torch")
	script := flag.String("script", "bench/torch_transformer.py", "PyTorch's side")
	flag.Parse()
	if *side == "go" {
		seq, err := strconv.Atoi(*seqs)
		if err != nil {
			log.Fatal(err)
		}
		if err := goSide(seq, *batch, *iters, *warmup, *runs); err != nil {
			log.Fatal(err)
		}
		return
	}
	self, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	if strings.Contains(self, filepath.Join("go-build", "")) {
		log.Print("note: running from go run; each Go side re-runs this binary")
	}
	fmt.Printf("Transformer encoder block training step, batch %d, d_model 128, 4 heads, ff 512, float32; medians of %d rounds\n\n", *batch, *rounds)
	fmt.Println("| seq | PyTorch samples/s | Profundo samples/s | ratio | PyTorch CPU ms/sample | Profundo CPU ms/sample | PyTorch peak RSS MiB | Profundo peak RSS MiB |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, s := range strings.Split(*seqs, ",") {
		seq, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			log.Fatal(err)
		}
		var g, p []result
		for r := 0; r < *rounds; r++ {
			common := []string{"--seq", strconv.Itoa(seq), "--batch", strconv.Itoa(*batch), "--iters", strconv.Itoa(*iters), "--warmup", strconv.Itoa(*warmup), "--runs", strconv.Itoa(*runs)}
			pc := exec.Command(*python, append([]string{*script}, common...)...)
			pc.Env = append(os.Environ(), "OPENBLAS_NUM_THREADS=1", "OMP_WAIT_POLICY=PASSIVE")
			pr, err := run(pc)
			if err != nil {
				log.Fatal(err)
			}
			gc := exec.Command(self, "-side", "go", "-seqs", strconv.Itoa(seq), "-batch", strconv.Itoa(*batch), "-iters", strconv.Itoa(*iters), "-warmup", strconv.Itoa(*warmup), "-runs", strconv.Itoa(*runs))
			gr, err := run(gc)
			if err != nil {
				log.Fatal(err)
			}
			p, g = append(p, pr), append(g, gr)
			fmt.Fprintf(os.Stderr, "seq %d round %d: pytorch %.1f samples/s, profundo %.1f samples/s\n", seq, r+1, pr.SamplesPerS, gr.SamplesPerS)
		}
		pick := func(rs []result, f func(result) float64) float64 {
			v := make([]float64, len(rs))
			for i, r := range rs {
				v[i] = f(r)
			}
			return median(v)
		}
		ps, gs := pick(p, func(r result) float64 { return r.SamplesPerS }), pick(g, func(r result) float64 { return r.SamplesPerS })
		fmt.Printf("| %d | %.1f | %.1f | %.2fx | %.2f | %.2f | %.0f | %.0f |\n", seq, ps, gs, gs/ps,
			1000*pick(p, func(r result) float64 { return r.CPUSPerSample }), 1000*pick(g, func(r result) float64 { return r.CPUSPerSample }),
			pick(p, func(r result) float64 { return r.PeakRSSMiB }), pick(g, func(r result) float64 { return r.PeakRSSMiB }))
	}
}
