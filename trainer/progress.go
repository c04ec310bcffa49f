package trainer

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// Progress shows training progress. On a terminal it redraws a bar with the
// ETA, samples/s and the running metrics as batches end; elsewhere (a file,
// a pipe, a notebook) it prints one line per epoch.
type Progress struct {
	w        io.Writer
	live     bool
	lastDraw time.Time
	// Every is the least time between redraws of the live bar.
	Every time.Duration
}

// NewProgress returns a Progress writing to w, live when w is a terminal.
func NewProgress(w io.Writer) *Progress {
	live := false
	if f, ok := w.(*os.File); ok {
		live = term.IsTerminal(int(f.Fd()))
	}
	return &Progress{w: w, live: live, Every: 100 * time.Millisecond}
}

// On draws the event.
func (p *Progress) On(e *Event) error {
	switch e.Kind {
	case BatchEnd:
		if p.live && (time.Since(p.lastDraw) >= p.Every || e.Batch+1 == e.Steps) {
			p.lastDraw = time.Now()
			fmt.Fprintf(p.w, "\r\033[K%s", p.line(e, true))
		}
	case EpochEnd:
		if p.live {
			fmt.Fprint(p.w, "\r\033[K")
		}
		fmt.Fprintln(p.w, p.line(e, false))
	}
	return nil
}

func (p *Progress) line(e *Event, running bool) string {
	var b strings.Builder
	width := len(fmt.Sprint(e.Epochs))
	fmt.Fprintf(&b, "Epoch %*d/%d", width, e.Epoch+1, e.Epochs)
	secs := e.Elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(e.Samples) / secs
	}
	if running {
		const barLen = 20
		done := barLen * (e.Batch + 1) / e.Steps
		bar := strings.Repeat("=", done) + strings.Repeat(".", barLen-done)
		if done < barLen {
			bar = strings.Repeat("=", done) + ">" + strings.Repeat(".", barLen-done-1)
		}
		eta := 0.0
		if rate > 0 {
			eta = float64(e.TotalSamples-e.Samples) / rate
		}
		stepsWidth := len(fmt.Sprint(e.Steps))
		fmt.Fprintf(&b, " %*d/%d [%s] ETA %s", stepsWidth, e.Batch+1, e.Steps, bar, fmtDuration(eta))
	} else {
		fmt.Fprintf(&b, " %d/%d %s", e.Steps, e.Steps, fmtDuration(secs))
	}
	fmt.Fprintf(&b, " %.0f samples/s", rate)
	for _, n := range e.Names {
		if v, ok := e.Logs[n]; ok {
			fmt.Fprintf(&b, " - %s: %.4f", n, v)
		}
	}
	return b.String()
}

func fmtDuration(secs float64) string {
	switch {
	case secs < 1:
		return fmt.Sprintf("%.0fms", secs*1000)
	case secs < 60:
		return fmt.Sprintf("%.1fs", secs)
	default:
		return fmt.Sprintf("%dm%02ds", int(secs)/60, int(secs)%60)
	}
}
