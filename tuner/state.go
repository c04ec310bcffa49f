package tuner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/pkg/errors"

	"github.com/profundo/profundo/internal/atomicfile"
)

// stateVersion is the version of the trials file's format.
const stateVersion = 1

// header is what makes a search repeatable: a resumed search must have
// the same.
type header struct {
	Strategy   string          `json:"strategy"`
	Settings   map[string]any  `json:"settings"`
	Space      json.RawMessage `json:"space"`
	Seed       int64           `json:"seed"`
	Objective  string          `json:"objective"`
	Direction  string          `json:"direction"`
	Executions int             `json:"executions"`
}

func newHeader(c *compiled, obj Objective, s Strategy, seed int64, executions int, space Space) (header, error) {
	sp, err := json.Marshal(space)
	if err != nil {
		return header{}, errors.Wrap(err, "tuner")
	}
	return header{
		Strategy: s.kind(), Settings: s.settings(), Space: sp, Seed: seed,
		Objective: obj.Metric, Direction: obj.Direction.String(), Executions: executions,
	}, nil
}

// differences lists how h and o differ, for the error that refuses to
// resume another search.
func (h header) differences(o header) []string {
	var diffs []string
	add := func(what string, here, there any) {
		diffs = append(diffs, fmt.Sprintf("%s %v there, %v here", what, there, here))
	}
	if h.Strategy != o.Strategy {
		add("strategy", h.Strategy, o.Strategy)
	}
	hs, _ := json.Marshal(h.Settings)
	osettings, _ := json.Marshal(o.Settings)
	if !bytes.Equal(hs, osettings) {
		add("strategy settings", string(hs), string(osettings))
	}
	if !jsonEqual(h.Space, o.Space) {
		add("space", string(h.Space), string(o.Space))
	}
	if h.Seed != o.Seed {
		add("seed", h.Seed, o.Seed)
	}
	if h.Objective != o.Objective || h.Direction != o.Direction {
		add("objective", h.Objective+" ("+h.Direction+")", o.Objective+" ("+o.Direction+")")
	}
	if h.Executions != o.Executions {
		add("executions", h.Executions, o.Executions)
	}
	return diffs
}

// jsonEqual compares two JSON documents by value.
func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return bytes.Equal(a, b)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

// stateFile is trials.json: the search's settings and its finished
// trials, by ID.
type stateFile struct {
	Version int         `json:"version"`
	Search  header      `json:"search"`
	Trials  []trialJSON `json:"trials"`
}

// state is the trials file of a search: where it is, what it holds.
type state struct {
	path   string
	header header
	trials map[int]*Trial
}

// load reads the trials file if there is one, refusing one of another
// search.
func (s *state) load(c *compiled) error {
	s.trials = map[int]*Trial{}
	data, err := os.ReadFile(s.path)
	if os.IsNotExist(err) {
		return errors.Wrap(os.MkdirAll(filepath.Dir(s.path), 0o755), "tuner")
	}
	if err != nil {
		return errors.Wrap(err, "tuner: resume")
	}
	var f stateFile
	if err := json.Unmarshal(data, &f); err != nil {
		return errors.Wrapf(err, "tuner: resume from %s: not a trials file", s.path)
	}
	if f.Version != stateVersion {
		return errors.Errorf("tuner: resume from %s: version %d, want %d", s.path, f.Version, stateVersion)
	}
	if diffs := s.header.differences(f.Search); len(diffs) > 0 {
		return errors.Errorf("tuner: %s holds another search (%s); use another directory, or the same settings to resume it",
			s.path, joinNames(diffs))
	}
	for _, j := range f.Trials {
		t, err := j.toTrial(c)
		if err != nil {
			return errors.Wrapf(err, "tuner: resume from %s", s.path)
		}
		if _, dup := s.trials[t.ID]; dup {
			return errors.Errorf("tuner: resume from %s: trial %d is listed twice", s.path, t.ID)
		}
		s.trials[t.ID] = t
	}
	return nil
}

// add records a finished trial.
func (s *state) add(t *Trial) {
	if s.trials == nil {
		s.trials = map[int]*Trial{}
	}
	s.trials[t.ID] = t
}

// sorted returns the trials by ID.
func (s *state) sorted() []*Trial {
	ts := make([]*Trial, 0, len(s.trials))
	for _, t := range s.trials {
		ts = append(ts, t)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].ID < ts[j].ID })
	return ts
}

// save rewrites the trials file atomically; without a path it does
// nothing.
func (s *state) save() error {
	if s.path == "" {
		return nil
	}
	f := stateFile{Version: stateVersion, Search: s.header, Trials: []trialJSON{}}
	for _, t := range s.sorted() {
		j, err := t.toJSON()
		if err != nil {
			return errors.Wrap(err, "tuner: save")
		}
		f.Trials = append(f.Trials, j)
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return errors.Wrapf(err, "tuner: save %s", s.path)
	}
	return errors.Wrap(atomicfile.WriteFile(s.path, append(data, '\n'), 0o644), "tuner")
}
