// Command sidebyside runs Profundo's and PyTorch's Fashion-MNIST
// benchmarks in alternation, on the same data and machine, and prints per
// model the median of each measurement over the rounds and the
// Profundo/PyTorch ratio; it also writes the results as JSON.
//
//	go run ./bench/sidebyside                          # pure Go vs PyTorch
//	go run ./bench/sidebyside --tags openblas          # OpenBLAS build
//	go run ./bench/sidebyside --models cnn --rounds 3 --epochs 1
//
// PyTorch is Debian's python3-torch, run by /usr/bin/python3 on
// bench/torch_fmnist.py with the same flags, and set up as
// ../shared/peers/README.md says: OPENBLAS_NUM_THREADS=1 and
// OMP_WAIT_POLICY=PASSIVE, so that OpenBLAS's thread pool and PyTorch's
// OpenMP pool do not fight over the cores. Without them PyTorch's MLP trains
// at a third of its speed on two cores, and a ratio against it means
// nothing. The environment, BLAS and thread count each side ran with are
// recorded in the JSON.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// metric is one measurement both sides report, by its JSON name.
type metric struct{ key, label string }

var measured = []metric{
	{"train_samples_per_s_median", "train samples/s"},
	{"train_samples_per_cpu_s", "train samples per CPU-second"},
	{"infer_samples_per_s", "inference samples/s (batch 1000)"},
	{"batch1_latency_ms_median", "batch-1 latency ms"},
	{"peak_rss_mib", "peak RSS MiB"},
	{"test_acc_final", "test accuracy"},
}

func main() {
	modelList := flag.String("models", "mlp,cnn", "models to run, comma-separated (mlp, cnn)")
	rounds := flag.Int("rounds", 3, "alternating rounds per model")
	epochs := flag.Int("epochs", 0, "epochs per run; 0 means each script's default (mlp 5, cnn 2)")
	maxBatches := flag.Int("max-batches", 0, "if > 0, batches per epoch (shorter timing runs)")
	tags := flag.String("tags", "", "build tags of the Profundo binary (openblas)")
	threads := flag.Int("threads", 2, "threads of both sides: GOMAXPROCS and torch.set_num_threads")
	python := flag.String("python", "/usr/bin/python3", "the Python that has torch")
	script := flag.String("torch-script", "bench/torch_fmnist.py", "the PyTorch side")
	data := flag.String("data", "/usr/share/datasets/fashion-mnist", "directory of the Fashion-MNIST IDX files")
	out := flag.String("json", "bench/results.json", "file to write the results to; empty for none")
	flag.Parse()
	if err := run(strings.Split(*modelList, ","), *rounds, *epochs, *maxBatches, *threads, *tags, *python, *script, *data, *out); err != nil {
		fmt.Fprintln(os.Stderr, "sidebyside:", err)
		os.Exit(1)
	}
}

// peerEnv is the environment PyTorch runs with, as ../shared/peers/README.md
// says; it is set on the child whatever this process's environment holds.
var peerEnv = map[string]string{"OPENBLAS_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE"}

type report struct {
	Tags    string                        `json:"tags"`
	Rounds  int                           `json:"rounds"`
	Threads int                           `json:"threads"`
	PeerEnv map[string]string             `json:"peer_env"`
	Runs    map[string][]map[string]any   `json:"runs"`   // "model/impl" -> each round's JSON
	Median  map[string]map[string]float64 `json:"median"` // "model/impl" -> metric -> median
}

func run(modelNames []string, rounds, epochs, maxBatches, threads int, tags, python, script, data, out string) error {
	dir, err := os.MkdirTemp("", "sidebyside")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "fmnist")
	build := exec.Command("go", "build", "-tags", tags, "-o", bin, "./bench/fmnist")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build ./bench/fmnist: %w", err)
	}
	rep := report{Tags: tags, Rounds: rounds, Threads: threads, PeerEnv: peerEnv, Runs: map[string][]map[string]any{}, Median: map[string]map[string]float64{}}
	for _, model := range modelNames {
		args := []string{"--model", model, "--data", data, "--threads", strconv.Itoa(threads)}
		if epochs > 0 {
			args = append(args, "--epochs", strconv.Itoa(epochs))
		}
		if maxBatches > 0 {
			args = append(args, "--max-batches", strconv.Itoa(maxBatches))
		}
		for r := 0; r < rounds; r++ {
			for _, side := range []struct {
				impl string
				cmd  []string
				env  map[string]string
			}{
				{"torch", append([]string{python, script}, args...), peerEnv},
				{"profundo", append([]string{bin}, args...), nil},
			} {
				fmt.Fprintf(os.Stderr, "round %d/%d: %s %s\n", r+1, rounds, side.impl, model)
				res, err := runJSON(side.cmd, side.env)
				if err != nil {
					return fmt.Errorf("%s %s: %w", side.impl, model, err)
				}
				key := model + "/" + side.impl
				rep.Runs[key] = append(rep.Runs[key], res)
			}
		}
		for _, impl := range []string{"torch", "profundo"} {
			key := model + "/" + impl
			rep.Median[key] = map[string]float64{}
			for _, m := range measured {
				var v []float64
				for _, res := range rep.Runs[key] {
					if f, ok := res[m.key].(float64); ok {
						v = append(v, f)
					}
				}
				if len(v) > 0 {
					rep.Median[key][m.key] = median(v)
				}
			}
		}
	}
	printTable(os.Stdout, modelNames, rep, tags)
	if out == "" {
		return nil
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, append(js, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, out)
}

// runJSON runs a benchmark and returns the object of its "JSON " line.
// env's variables replace those of this process's environment.
func runJSON(argv []string, env map[string]string) (map[string]any, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), "JSON "); ok {
			var res map[string]any
			if err := json.Unmarshal([]byte(line), &res); err != nil {
				return nil, fmt.Errorf("its JSON line: %w", err)
			}
			return res, nil
		}
	}
	return nil, fmt.Errorf("no JSON line in its output:\n%s", stdout.String())
}

func printTable(w *os.File, modelNames []string, rep report, tags string) {
	build := "pure Go"
	if tags != "" {
		build = "-tags " + tags
	}
	for _, model := range modelNames {
		if runs := rep.Runs[model+"/profundo"]; len(runs) > 0 {
			build += fmt.Sprintf(", BLAS %v", runs[0]["blas"])
			break
		}
	}
	peer := "PyTorch"
	for _, model := range modelNames {
		if runs := rep.Runs[model+"/torch"]; len(runs) > 0 {
			peer = fmt.Sprintf("PyTorch %v (BLAS %v, %v threads, OPENBLAS_NUM_THREADS=%s OMP_WAIT_POLICY=%s)",
				runs[0]["torch"], runs[0]["blas"], runs[0]["torch_threads"], rep.PeerEnv["OPENBLAS_NUM_THREADS"], rep.PeerEnv["OMP_WAIT_POLICY"])
			break
		}
	}
	fmt.Fprintf(w, "Profundo (%s, GOMAXPROCS %d) vs %s, medians of %d alternating rounds\n\n", build, rep.Threads, peer, rep.Rounds)
	fmt.Fprintf(w, "| model | measurement | PyTorch | Profundo | Profundo/PyTorch |\n|---|---|---|---|---|\n")
	for _, model := range modelNames {
		t, p := rep.Median[model+"/torch"], rep.Median[model+"/profundo"]
		for _, m := range measured {
			tv, okT := t[m.key]
			pv, okP := p[m.key]
			if !okT || !okP {
				continue
			}
			ratio := "-"
			if tv != 0 {
				ratio = fmt.Sprintf("%.2fx", pv/tv)
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", model, m.label, format(tv), format(pv), ratio)
		}
	}
}

func format(v float64) string {
	if v >= 100 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
