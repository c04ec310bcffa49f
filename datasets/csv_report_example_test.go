package datasets_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/profundo/profundo/datasets"
)

// Report summarises a table: each column's kind (a declared one marked
// with *), missing cells and statistics, then the rows skipped as bad.
func ExampleTable_Report() {
	in := `id,zip,temp,label
1,75001,21.5,ok
2,10115,NA,ok
3,75001,19,late
4,oops,,ok
5,10115,23,late,extra
`
	tab, err := datasets.ReadCSV(strings.NewReader(in), datasets.CSVOptions{
		Name: "deliveries", Target: "label",
		Categorical: []string{"zip"}, Numeric: []string{"temp"}, SkipBadRows: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	r := tab.Report()
	fmt.Print(r)
	fmt.Println("temp missing:", r.Columns[2].Missing, "skipped:", len(r.Skipped))
	// Output:
	// deliveries: 4 rows, 4 columns, target "label", 1 bad rows skipped
	// column  kind          missing  distinct  top    min  max   mean
	// id      numeric       0        4                1    4     2.5
	// zip     categorical*  0        3         75001
	// temp    numeric*      2        2                19   21.5  20.25
	// label   categorical   0        2         ok
	// skipped line 6: 5 fields, want 4
	// temp missing: 2 skipped: 1
}

// FillMissing makes missing a category of its own; DropColumns removes a
// column that must not be a feature, such as an id.
func ExampleTable_FillMissing() {
	in := "id,color,size\n1,red,3\n2,,4\n3,blue,?\n"
	tab, err := datasets.ReadCSV(strings.NewReader(in), datasets.CSVOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	n, err := tab.FillMissing("color", "unknown")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("filled:", n)
	if err := tab.DropColumns("id"); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("columns:", tab.ColumnNames())
	color, err := tab.Column("color")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("color missing:", color.MissingCount())
	// Output:
	// filled: 1
	// columns: [color size]
	// color missing: 0
}

// LoadCSV reads a file (gunzipped first when its name ends in ".gz"); the
// table is named after the path.
func ExampleLoadCSV() {
	dir, err := os.MkdirTemp("", "profundo-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "houses.csv")
	data := "rooms,area,price\n3,70,210\n4,95,290\n2,48,150\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		fmt.Println(err)
		return
	}
	tab, err := datasets.LoadCSV(path, datasets.CSVOptions{Target: "price"})
	if err != nil {
		fmt.Println(err)
		return
	}
	task, err := tab.DetectTask("price")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(filepath.Base(tab.Name), "has", tab.Rows(), "rows of", tab.ColumnNames())
	fmt.Println("price is a", task, "target")
	// Output:
	// houses.csv has 3 rows of [rooms area price]
	// price is a regression target
}

// ParseTask reads what a --task flag takes, in any case.
func ExampleParseTask() {
	for _, s := range []string{"Classification", "regression", "", "clustering"} {
		task, err := datasets.ParseTask(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%q: %v\n", s, task)
	}
	// Output:
	// "Classification": classification
	// "regression": regression
	// "": auto
	// task "clustering" is not classification, regression or auto
}
