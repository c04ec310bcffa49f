// Command fmnist is Profundo's side of the Fashion-MNIST benchmark: the
// counterpart of the PyTorch script bench/torch_fmnist.py, with the same
// flags, the same models, the same measurements and the same table.
//
//	go run ./bench/fmnist --model cnn --epochs 2
//	go run -tags openblas ./bench/fmnist --model cnn --epochs 2
//
// Reports: train samples/s (median over epochs; the data is in memory, so
// loading is excluded), wall seconds per epoch, test accuracy after epoch 1
// and after the last, inference samples/s over the 10k test set at
// --infer-batch (median of 3), latency of one-sample predictions, and peak
// RSS. It prints a table row and one JSON line prefixed with "JSON ".
// bench/run.sh runs both sides in alternation.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"syscall"
	"time"

	"gorgonia.org/tensor"

	"github.com/profundo/profundo/datasets"
	"github.com/profundo/profundo/internal/blas"
	"github.com/profundo/profundo/internal/tensors"
	"github.com/profundo/profundo/layers"
	"github.com/profundo/profundo/losses"
	"github.com/profundo/profundo/metrics"
	"github.com/profundo/profundo/models"
	"github.com/profundo/profundo/optimizers"
	"github.com/profundo/profundo/trainer"
)

// profile, when not nil, receives a CPU profile of the training epochs.
var profile *os.File

type result struct {
	Impl                string    `json:"impl"`
	BLAS                string    `json:"blas"`
	Model               string    `json:"model"`
	Threads             int       `json:"threads"`
	Batch               int       `json:"batch"`
	Epochs              int       `json:"epochs"`
	BatchesPerEpoch     int       `json:"batches_per_epoch"`
	TrainSPSMedian      float64   `json:"train_samples_per_s_median"`
	TrainSPSBest        float64   `json:"train_samples_per_s_best"`
	TrainSPSPerCPU      float64   `json:"train_samples_per_cpu_s"`
	EpochWallMedian     float64   `json:"epoch_wall_s_median"`
	EpochWall           []float64 `json:"epoch_wall_s"`
	TestAccEpoch1       float64   `json:"test_acc_epoch1"`
	TestAccFinal        float64   `json:"test_acc_final"`
	TrainLoss           []float64 `json:"train_loss"`
	InferSPS            float64   `json:"infer_samples_per_s"`
	InferBatch          int       `json:"infer_batch"`
	Batch1LatencyMedian float64   `json:"batch1_latency_ms_median"`
	PeakRSSMiB          float64   `json:"peak_rss_mib"`
	DataLoadS           float64   `json:"data_load_s"`
}

func main() {
	model := flag.String("model", "mlp", "mlp (784-256-128-10), cnn (c32-pool-c64-pool-d128-d10) or vgg (32x32x3, see vgg.go)")
	epochs := flag.Int("epochs", 0, "epochs; 0 means 5 (mlp) or 2 (cnn, vgg)")
	batch := flag.Int("batch", 128, "training batch size")
	lr := flag.Float64("lr", 1e-3, "Adam's learning rate")
	threads := flag.Int("threads", 2, "GOMAXPROCS (and OpenBLAS's threads, set through OPENBLAS_NUM_THREADS by bench/run.sh)")
	maxBatches := flag.Int("max-batches", 0, "if > 0, train on this many batches per epoch only (timing runs)")
	inferBatch := flag.Int("infer-batch", 1000, "batch size of the inference pass over the test set")
	seed := flag.Int64("seed", 0, "seed of the weights and the shuffle")
	data := flag.String("data", "/usr/share/datasets/fashion-mnist", "directory of the Fashion-MNIST IDX files")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the training epochs to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "fmnist:", err)
			os.Exit(1)
		}
		profile = f
	}
	if err := run(*model, *epochs, *batch, *lr, *threads, *maxBatches, *inferBatch, *seed, *data); err != nil {
		fmt.Fprintln(os.Stderr, "fmnist:", err)
		os.Exit(1)
	}
}

func run(model string, epochs, bs int, lr float64, threads, maxBatches, inferBatch int, seed int64, dir string) error {
	runtime.GOMAXPROCS(threads)
	if epochs == 0 {
		epochs = 5
		if model != "mlp" {
			epochs = 2
		}
	}
	ctx := context.Background()
	t0 := time.Now()
	train, test, err := datasets.FashionMNIST(ctx, datasets.LoadOptions{Dir: dir, NoDownload: true})
	if err != nil {
		return err
	}
	loadS := time.Since(t0).Seconds()

	var m *models.Sequential
	switch model {
	case "mlp":
		m, err = models.NewMLP(layers.Shape(train.X.Shape()[1:]), []int{256, 128}, 0, 10)
	case "cnn":
		m, err = models.NewSmallCNN(layers.Shape(train.X.Shape()[1:]), 10, 0)
	case "vgg":
		train.X, test.X = rgb32(train.X), rgb32(test.X)
		m, err = newVGG()
	default:
		return fmt.Errorf("--model must be mlp, cnn or vgg, got %q", model)
	}
	if err != nil {
		return err
	}
	err = m.Compile(models.Config{
		Loss: losses.SparseCategoricalCrossentropy{}, Optimizer: optimizers.Adam{LearningRate: lr},
		Metrics: []metrics.Metric{&metrics.SparseCategoricalAccuracy{}}, Seed: seed, BatchSize: inferBatch,
	})
	if err != nil {
		return err
	}

	// Whole batches only, as the PyTorch script does.
	n := train.X.Shape()[0] / bs
	if maxBatches > 0 && maxBatches < n {
		n = maxBatches
	}
	x, y := head(train.X, n*bs), head(train.Y, n*bs)

	res := result{Impl: "profundo", BLAS: blas.Name(), Model: model, Threads: threads, Batch: bs, Epochs: epochs,
		BatchesPerEpoch: n, InferBatch: inferBatch, DataLoadS: round(loadS, 2)}
	var sps, cpus []float64
	if profile != nil {
		if err := pprof.StartCPUProfile(profile); err != nil {
			return err
		}
	}
	for ep := 0; ep < epochs; ep++ {
		cpu0 := cpuSeconds()
		start := time.Now()
		hist, err := m.Fit(ctx, x, y, trainer.FitConfig{Epochs: ep + 1, InitialEpoch: ep, BatchSize: bs, Seed: seed, Silent: true})
		if err != nil {
			return err
		}
		wall := time.Since(start).Seconds()
		cpus = append(cpus, cpuSeconds()-cpu0)
		res.EpochWall = append(res.EpochWall, round(wall, 3))
		sps = append(sps, float64(n*bs)/wall)
		loss, _ := hist.Last("loss")
		res.TrainLoss = append(res.TrainLoss, round(loss, 4))
		logs, err := m.Evaluate(ctx, test.X, test.Y)
		if err != nil {
			return err
		}
		acc := logs["sparse_categorical_accuracy"]
		if ep == 0 {
			res.TestAccEpoch1 = round(acc, 4)
		}
		res.TestAccFinal = round(acc, 4)
		fmt.Fprintf(os.Stderr, "epoch %d: loss %.4f train %.0f samples/s wall %.2fs cpu %.2fs test_acc %.4f\n",
			ep+1, loss, sps[len(sps)-1], wall, cpus[len(cpus)-1], acc)
	}
	if profile != nil {
		pprof.StopCPUProfile()
		if err := profile.Close(); err != nil {
			return err
		}
	}
	res.TrainSPSMedian = round(median(sps), 1)
	res.TrainSPSBest = round(slices.Max(sps), 1)
	res.TrainSPSPerCPU = round(float64(n*bs*len(cpus))/sum(cpus), 1)
	res.EpochWallMedian = round(median(res.EpochWall), 3)

	var inf []float64
	for range 3 {
		start := time.Now()
		if _, err := m.Predict(ctx, test.X); err != nil {
			return err
		}
		inf = append(inf, float64(test.X.Shape()[0])/time.Since(start).Seconds())
	}
	res.InferSPS = round(median(inf), 1)

	// One sample at a time, as a server answering single requests would.
	var lat []float64
	one := take(test.X, []int{0})
	for i := range 200 {
		tensors.CopyRows(one, test.X, []int{i})
		start := time.Now()
		if _, err := m.Predict(ctx, one); err != nil {
			return err
		}
		lat = append(lat, time.Since(start).Seconds()*1000)
	}
	res.Batch1LatencyMedian = round(median(lat), 4)
	res.PeakRSSMiB = round(peakRSSMiB(), 1)

	fmt.Printf("%-8s %-5s %10s %9s %8s %8s %7s %7s %10s %8s\n", "impl", "model", "train sps", "best sps", "sps/cpu", "epoch s", "acc@1", fmt.Sprintf("acc@%d", epochs), "infer sps", "RSS MiB")
	fmt.Printf("%-8s %-5s %10.0f %9.0f %8.0f %8.2f %7.4f %7.4f %10.0f %8.0f\n", "profundo", model, res.TrainSPSMedian, res.TrainSPSBest,
		res.TrainSPSPerCPU, res.EpochWallMedian, res.TestAccEpoch1, res.TestAccFinal, res.InferSPS, res.PeakRSSMiB)
	js, err := json.Marshal(res)
	if err != nil {
		return err
	}
	fmt.Println("JSON " + string(js))
	return nil
}

// head is the first n rows of t, sharing its values.
func head(t *tensor.Dense, n int) *tensor.Dense {
	shape := t.Shape().Clone()
	if shape[0] == n {
		return t
	}
	per := shape.TotalSize() / shape[0]
	shape[0] = n
	var backing any
	switch d := t.Data().(type) {
	case []float32:
		backing = d[:n*per]
	case []float64:
		backing = d[:n*per]
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(backing))
}

// take copies rows of t into a new tensor.
func take(t *tensor.Dense, rows []int) *tensor.Dense {
	shape := t.Shape().Clone()
	shape[0] = len(rows)
	out := tensor.New(tensor.Of(t.Dtype()), tensor.WithShape(shape...))
	tensors.CopyRows(out, t, rows)
	return out
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func sum(v []float64) float64 {
	t := 0.0
	for _, x := range v {
		t += x
	}
	return t
}

func round(v float64, digits int) float64 {
	p := 1.0
	for range digits {
		p *= 10
	}
	return float64(int64(v*p+0.5)) / p
}

// cpuSeconds is the user plus system CPU time of the process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// peakRSSMiB is the process's peak resident set size (ru_maxrss, KiB on
// Linux).
func peakRSSMiB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024
}
