package datasets

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pkg/errors"
	"golang.org/x/term"
)

const (
	// downloadMaxBytes caps one download, so that a wrong URL cannot fill
	// the disk; the largest file fetched here is about 26 MB.
	downloadMaxBytes = 1 << 30
	// downloadStall is how long a download may receive nothing before it
	// is given up.
	downloadStall = time.Minute
	// downloadTimeout is the whole-request timeout of the default client.
	downloadTimeout = 30 * time.Minute
	// progressEvery is the least time between redraws of a live bar.
	progressEvery = 100 * time.Millisecond
)

// defaultClient is the client used when none is given: a timeout of 30
// minutes for a whole file and of 30 seconds for the response headers.
func defaultClient() *http.Client {
	var tr *http.Transport
	if dt, ok := http.DefaultTransport.(*http.Transport); ok {
		tr = dt.Clone()
	} else {
		tr = &http.Transport{Proxy: http.ProxyFromEnvironment}
	}
	tr.ResponseHeaderTimeout = 30 * time.Second
	return &http.Client{Timeout: downloadTimeout, Transport: tr}
}

// download fetches url into dest: the body goes to a temporary file in the
// directory of dest, its SHA-256 is checked against wantSHA (hex), and the
// file is synced and renamed into place. On any error, ctx cancellation
// included, the temporary file is removed and dest is left as it was.
// progress, when not nil, shows a bar.
func download(ctx context.Context, client *http.Client, url, dest, wantSHA string, progress io.Writer) (err error) {
	defer func() {
		if err != nil {
			err = errors.Wrapf(err, "download %s", url)
		}
	}()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return causeOf(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.Errorf("HTTP status %s", resp.Status)
	}
	if resp.ContentLength > downloadMaxBytes {
		return errors.Errorf("the server announces %d bytes, more than the limit %d", resp.ContentLength, downloadMaxBytes)
	}

	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".*.part")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()

	bar := newProgressBar(progress, url, filepath.Base(dest), resp.ContentLength)
	h := sha256.New()
	body := &stallReader{r: io.LimitReader(resp.Body, downloadMaxBytes+1), cancel: cancel}
	defer body.stop()
	n, err := io.Copy(io.MultiWriter(tmp, h, bar), body)
	bar.finish(err == nil)
	if err != nil {
		return errors.Wrapf(causeOf(ctx, err), "got %d of %s bytes", n, lengthString(resp.ContentLength))
	}
	if n > downloadMaxBytes {
		return errors.Errorf("more than the limit of %d bytes", downloadMaxBytes)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return errors.Errorf("truncated: got %d of %d bytes", n, resp.ContentLength)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != strings.ToLower(wantSHA) {
		return errors.Errorf("SHA-256 mismatch: got %s, want %s (%d bytes)", got, strings.ToLower(wantSHA), n)
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), dest); err != nil {
		return err
	}
	syncDir(filepath.Dir(dest))
	return nil
}

// causeOf returns the cause of ctx's cancellation (a stall, the caller's
// cancellation) when ctx is done, or err.
func causeOf(ctx context.Context, err error) error {
	if c := context.Cause(ctx); c != nil {
		return c
	}
	return err
}

// syncDir makes a rename in dir durable where the system allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // not supported everywhere; the rename is done anyway
		d.Close()
	}
}

func lengthString(n int64) string {
	if n < 0 {
		return "an unknown number of"
	}
	return fmt.Sprint(n)
}

// stallReader cancels its download when no data arrives for downloadStall.
type stallReader struct {
	r      io.Reader
	cancel context.CancelCauseFunc
	timer  *time.Timer
}

func (s *stallReader) Read(p []byte) (int, error) {
	if s.timer == nil {
		s.timer = time.AfterFunc(downloadStall, func() {
			s.cancel(errors.Errorf("no data for %v", downloadStall))
		})
	} else {
		s.timer.Reset(downloadStall)
	}
	return s.r.Read(p)
}

func (s *stallReader) stop() {
	if s.timer != nil {
		s.timer.Stop()
	}
}

// ctxReader fails with ctx's error once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// progressBar shows a download. On a terminal it redraws a bar with the
// bytes done and the total as data arrives; elsewhere it prints a line when
// the download starts and one when it ends.
type progressBar struct {
	w           io.Writer
	live        bool
	name        string
	total, done int64
	start, last time.Time
}

func newProgressBar(w io.Writer, url, name string, total int64) *progressBar {
	p := &progressBar{w: w, name: name, total: total, start: time.Now()}
	if w == nil {
		return p
	}
	if f, ok := w.(*os.File); ok {
		p.live = term.IsTerminal(int(f.Fd()))
	}
	fmt.Fprintf(w, "downloading %s (%s)\n", url, sizeString(total))
	return p
}

func (p *progressBar) Write(b []byte) (int, error) {
	p.done += int64(len(b))
	if p.live && time.Since(p.last) >= progressEvery {
		p.last = time.Now()
		fmt.Fprintf(p.w, "\r\033[K%s", p.line())
	}
	return len(b), nil
}

// finish draws the last state of the bar, and ends its line.
func (p *progressBar) finish(ok bool) {
	if p.w == nil {
		return
	}
	if p.live {
		fmt.Fprint(p.w, "\r\033[K")
	}
	status := "done"
	if !ok {
		status = "failed"
	}
	fmt.Fprintf(p.w, "%s %s in %.1fs\n", p.line(), status, time.Since(p.start).Seconds())
}

// line is "name [=====>....] 12.6/25.2 MiB 50%", or "name 12.6 MiB" when the
// total is unknown.
func (p *progressBar) line() string {
	if p.total <= 0 {
		return fmt.Sprintf("%s %s", p.name, sizeString(p.done))
	}
	const barLen = 20
	frac := min(float64(p.done)/float64(p.total), 1)
	done := int(frac * barLen)
	bar := strings.Repeat("=", done) + strings.Repeat(".", barLen-done)
	if done < barLen {
		bar = strings.Repeat("=", done) + ">" + strings.Repeat(".", barLen-done-1)
	}
	unit, div := sizeUnit(p.total)
	if unit == "B" {
		return fmt.Sprintf("%s [%s] %d/%d B %3.0f%%", p.name, bar, p.done, p.total, 100*frac)
	}
	return fmt.Sprintf("%s [%s] %.1f/%.1f %s %3.0f%%", p.name, bar, float64(p.done)/div, float64(p.total)/div, unit, 100*frac)
}

func sizeString(n int64) string {
	if n < 0 {
		return "size unknown"
	}
	unit, div := sizeUnit(n)
	if unit == "B" {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f %s", float64(n)/div, unit)
}

func sizeUnit(n int64) (string, float64) {
	switch {
	case n >= 1<<20:
		return "MiB", 1 << 20
	case n >= 1<<10:
		return "KiB", 1 << 10
	}
	return "B", 1
}
