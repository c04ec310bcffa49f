package trainer

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/pkg/errors"
)

// ModelCheckpoint saves the model as training goes, as Keras's
// ModelCheckpoint: at the end of every epoch (or every SaveFreq batches),
// or only when a monitored value improves. The model must be a Saver; the
// save itself is the model's (atomic for models.Sequential). Its zero value
// is not usable: Path is required.
type ModelCheckpoint struct {
	// Path is where the model is saved (a directory, or a zip when it ends
	// in ".zip"), a pattern whose fields in braces are filled in at each
	// save: {epoch} is the epoch counting from 1, {batch} the batch counting
	// from 1 (with SaveFreq > 0 only), and {name} a logged value such as
	// {val_loss} or {accuracy}, written with %.4f. A field may carry a
	// Python-style format spec, as in Keras: {epoch:03d}, {val_loss:.2f},
	// {loss:.3e}. "{{" and "}}" are literal braces. Without fields, each
	// save overwrites the last. Parent directories are made as needed.
	Path string
	// Monitor is the logged name that SaveBestOnly watches; empty means
	// "val_loss". It is checked only with SaveBestOnly.
	Monitor string
	// Mode says whether Monitor improves by falling or rising; the zero
	// value, ModeAuto, infers it from the name.
	Mode MonitorMode
	// SaveBestOnly saves only when Monitor beats every earlier value of this
	// Fit (and InitialValueThreshold); false saves every time.
	SaveBestOnly bool
	// SaveFreq, >= 0, is the number of batches between saves, counted
	// across epochs, saving with the running logs of the batch; zero saves
	// at the end of every epoch, Keras's save_freq="epoch".
	SaveFreq int
	// InitialValueThreshold, when set, is the value SaveBestOnly must beat
	// for the first save; nil means the first value is always saved.
	InitialValueThreshold *float64

	saver   Saver
	fields  []pathField
	mon     monitor
	best    float64
	batches int
	saved   []string
}

var _ Callback = (*ModelCheckpoint)(nil)

// pathField is a literal piece of Path (name empty) or a field to fill.
type pathField struct {
	literal string
	name    string
	verb    string // a fmt format: "%d", "%.4f"
}

// On saves the model at the end of epochs or batches.
func (c *ModelCheckpoint) On(e *Event) error {
	if e.Rank != 0 {
		return nil
	}
	switch e.Kind {
	case TrainBegin:
		return c.begin(e)
	case BatchEnd:
		if c.SaveFreq > 0 {
			if c.batches++; c.batches >= c.SaveFreq {
				c.batches = 0
				return c.save(e)
			}
		}
	case EpochEnd:
		if c.SaveFreq == 0 {
			return c.save(e)
		}
	}
	return nil
}

func (c *ModelCheckpoint) begin(e *Event) error {
	const what = "model checkpoint"
	if c.Path == "" {
		return errors.Errorf("%s: path is empty", what)
	}
	if c.SaveFreq < 0 {
		return errors.Errorf("%s: save freq must be >= 0 (0 saves every epoch), got %d", what, c.SaveFreq)
	}
	if t := c.InitialValueThreshold; t != nil && math.IsNaN(*t) {
		return errors.Errorf("%s: initial value threshold must be a number, got %v", what, *t)
	}
	saver, ok := e.Model.(Saver)
	if !ok {
		return errors.Errorf("%s: the model cannot save itself: %T has no Save(path string) error method", what, e.Model)
	}
	// Values at batch ends are the running training logs: no val_ ones.
	logged := e.Names
	if c.SaveFreq > 0 {
		logged = slices.DeleteFunc(slices.Clone(e.Names), func(n string) bool { return strings.HasPrefix(n, "val_") })
	}
	fields, err := parsePath(c.Path, logged, c.SaveFreq > 0)
	if err != nil {
		return errors.Wrap(err, what)
	}
	var mon monitor
	if c.SaveBestOnly {
		if mon, err = newMonitor(what, c.Monitor, c.Mode, 0, e.Names); err != nil {
			return err
		}
		if c.SaveFreq > 0 && !slices.Contains(logged, mon.name) {
			return errors.Errorf("%s: monitor %q is logged only at the end of an epoch, but save freq %d saves every %d batches; monitor one of %s",
				what, mon.name, c.SaveFreq, c.SaveFreq, strings.Join(logged, ", "))
		}
	}
	c.saver, c.fields, c.mon, c.batches, c.saved = saver, fields, mon, 0, nil
	c.best = mon.worst()
	if c.InitialValueThreshold != nil {
		c.best = *c.InitialValueThreshold
	}
	return nil
}

// save saves the model if it should, to the path filled from e.
func (c *ModelCheckpoint) save(e *Event) error {
	const what = "model checkpoint"
	if c.SaveBestOnly {
		cur, err := c.mon.value(what, e)
		if err != nil {
			return err
		}
		if !c.mon.better(cur, c.best) {
			return nil
		}
		c.best = cur
	}
	path, err := c.fill(e)
	if err != nil {
		return err
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return errors.Wrapf(err, "%s: epoch %d", what, e.Epoch+1)
		}
	}
	if err := c.saver.Save(path); err != nil {
		return errors.Wrapf(err, "%s: epoch %d", what, e.Epoch+1)
	}
	c.saved = append(c.saved, path)
	return nil
}

// fill writes Path with e's epoch, batch and logs.
func (c *ModelCheckpoint) fill(e *Event) (string, error) {
	var b strings.Builder
	for _, f := range c.fields {
		switch f.name {
		case "":
			b.WriteString(f.literal)
		case "epoch":
			fmt.Fprintf(&b, f.verb, e.Epoch+1)
		case "batch":
			fmt.Fprintf(&b, f.verb, e.Batch+1)
		default:
			v, ok := e.Logs[f.name]
			if !ok {
				return "", errors.Errorf("model checkpoint: epoch %d: path field {%s} is not in the logs", e.Epoch+1, f.name)
			}
			fmt.Fprintf(&b, f.verb, v)
		}
	}
	return b.String(), nil
}

// Saved returns the paths the last Fit saved to, in order.
func (c *ModelCheckpoint) Saved() []string { return slices.Clone(c.saved) }

// formatSpec is the subset of Python's format spec that Path accepts:
// flags, width, precision and one verb.
var formatSpec = regexp.MustCompile(`^([-+ #0]*)([0-9]*)(\.[0-9]+)?([a-zA-Z])$`)

// parsePath splits a Path pattern into literals and fields, checking that
// each field names "epoch", "batch" (when batches is set) or one of names,
// with a spec that fits it.
func parsePath(pattern string, names []string, batches bool) ([]pathField, error) {
	var fields []pathField
	var lit strings.Builder
	for i := 0; i < len(pattern); i++ {
		ch := pattern[i]
		switch {
		case ch == '{' && i+1 < len(pattern) && pattern[i+1] == '{':
			lit.WriteByte('{')
			i++
		case ch == '}' && i+1 < len(pattern) && pattern[i+1] == '}':
			lit.WriteByte('}')
			i++
		case ch == '}':
			return nil, errors.Errorf("path %q: unmatched } at byte %d (write }} for a brace)", pattern, i)
		case ch == '{':
			end := strings.IndexByte(pattern[i:], '}')
			if end < 0 {
				return nil, errors.Errorf("path %q: unclosed { at byte %d (write {{ for a brace)", pattern, i)
			}
			f, err := parseField(pattern[i+1:i+end], names, batches)
			if err != nil {
				return nil, errors.Wrapf(err, "path %q", pattern)
			}
			if lit.Len() > 0 {
				fields = append(fields, pathField{literal: lit.String()})
				lit.Reset()
			}
			fields = append(fields, f)
			i += end
		default:
			lit.WriteByte(ch)
		}
	}
	if lit.Len() > 0 {
		fields = append(fields, pathField{literal: lit.String()})
	}
	return fields, nil
}

func parseField(field string, names []string, batches bool) (pathField, error) {
	name, spec, hasSpec := strings.Cut(field, ":")
	integer := name == "epoch" || name == "batch"
	switch {
	case name == "batch" && !batches:
		return pathField{}, errors.New("{batch} needs SaveFreq > 0 (saves every SaveFreq batches)")
	case !integer && !slices.Contains(names, name):
		known := append([]string{"epoch"}, names...)
		if batches {
			known = append([]string{"epoch", "batch"}, names...)
		}
		return pathField{}, errors.Errorf("field {%s} is not logged; fields can be %s", field, strings.Join(known, ", "))
	}
	f := pathField{name: name, verb: "%.4f"}
	if integer {
		f.verb = "%d"
	}
	if !hasSpec {
		return f, nil
	}
	m := formatSpec.FindStringSubmatch(spec)
	verbs := "eEfFgG"
	if integer {
		verbs = "d"
	}
	if m == nil || !strings.Contains(verbs, m[4]) {
		return pathField{}, errors.Errorf("field {%s}: format spec %q is not one of [flags][width][.precision]verb with verb in %q", field, spec, verbs)
	}
	f.verb = "%" + m[1] + m[2] + m[3] + m[4]
	return f, nil
}
