package cli

import (
	"flag"
	"fmt"

	"github.com/profundo/profundo/datasets"
)

// csvFlags are the flags that say how a CSV file is read: its encoding and
// the input limits that stop a pathological file early.
type csvFlags struct {
	encoding  string
	maxLine   int
	maxFields int
	maxBytes  int64
}

func (c *csvFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.encoding, "encoding", "", "the CSV's text encoding: utf-8 or latin-1; empty means utf-8 (for evaluate and predict: the encoding the model was trained with), and text that is not valid UTF-8 is an error naming its line")
	fs.IntVar(&c.maxLine, "max-line-bytes", 0, fmt.Sprintf("longest CSV line read, in bytes; 0 means %d, -1 no limit", datasets.DefaultMaxLineBytes))
	fs.IntVar(&c.maxFields, "max-fields", 0, fmt.Sprintf("most fields in a CSV row; 0 means %d, -1 no limit", datasets.DefaultMaxFields))
	fs.Int64Var(&c.maxBytes, "max-file-bytes", 0, fmt.Sprintf("largest CSV file read, in bytes (after gunzipping); 0 means %d, -1 no limit", int64(datasets.DefaultMaxBytes)))
}

// check checks the flags' ranges.
func (c *csvFlags) check() error {
	if c.maxLine < -1 || c.maxFields < -1 || c.maxBytes < -1 {
		return fmt.Errorf("--max-line-bytes, --max-fields and --max-file-bytes must be >= -1 (0: the default, -1: no limit), got %d, %d and %d", c.maxLine, c.maxFields, c.maxBytes)
	}
	return nil
}

// options returns o with the flags' encoding and limits; an empty
// --encoding leaves o's.
func (c *csvFlags) options(o datasets.CSVOptions) datasets.CSVOptions {
	if c.encoding != "" {
		o.Encoding = c.encoding
	}
	o.MaxLineBytes, o.MaxFields, o.MaxBytes = c.maxLine, c.maxFields, c.maxBytes
	return o
}
