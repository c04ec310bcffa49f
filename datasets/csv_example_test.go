package datasets_test

import (
	"fmt"
	"math/rand"
	"strings"

	"github.com/profundo/profundo/datasets"
)

func ExampleReadCSV() {
	in := `age;city;income;bought
34;Paris;52000;yes
NA;London;?;no
29;"Paris";61000;yes
41;;48000;no
`
	tab, err := datasets.ReadCSV(strings.NewReader(in), datasets.CSVOptions{Name: "shop", Comma: ';', Target: "bought"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(tab.Report())
	// Output:
	// shop: 4 rows, 4 columns, target "bought"
	// column  kind         missing  distinct  top    min    max    mean
	// age     numeric      1        3                29     41     34.6667
	// city    categorical  1        2         Paris
	// income  numeric      1        3                48000  61000  53666.7
	// bought  categorical  0        2         no
}

func ExampleReadCSV_errors() {
	_, err := datasets.ReadCSV(strings.NewReader("a,b\n1,2\n3\n"), datasets.CSVOptions{})
	fmt.Println(err)
	_, err = datasets.ReadCSV(strings.NewReader("a,b\n1,2\n"), datasets.CSVOptions{Target: "price"})
	fmt.Println(err)
	_, err = datasets.ReadCSV(strings.NewReader("a,b\n1,2\n3,abc\n"), datasets.CSVOptions{Numeric: []string{"b"}})
	fmt.Println(err)
	// Output:
	// csv "csv": line 3: 1 fields, want 2
	// csv "csv": target column "price" not found; the columns are "a", "b"
	// csv "csv": line 3, column 2: column "b" is declared numeric, got "abc"
}

func ExampleTable_ToDataset() {
	in := "size,color,species\n1.5,red,cat\n2.5,blue,dog\n0.5,red,cat\n3,green,dog\n"
	tab, err := datasets.ReadCSV(strings.NewReader(in), datasets.CSVOptions{Name: "pets", Target: "species"})
	if err != nil {
		fmt.Println(err)
		return
	}
	d, p, err := tab.ToDataset(datasets.TabularOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Task, p.FeatureNames())
	fmt.Println(d.X.Shape(), d.X.Data())
	fmt.Println(d.Y.Data(), d.ClassNames)

	// The fitted Tabular turns new rows, without a target, into features.
	fresh, err := datasets.ReadCSV(strings.NewReader("color,size\nblue,2\n"), datasets.CSVOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	x, err := p.Transform(fresh)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(x.X.Data(), x.Y == nil)

	// Split, then fit the scaler on the training rows only.
	train, test, err := datasets.TrainTestSplit(d, 0.5, rand.New(rand.NewSource(1)), true)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(train.Len(), test.Len())
	// Output:
	// classification [size color=blue color=green color=red]
	// (4, 4) [1.5 0 0 1 2.5 1 0 0 0.5 0 0 1 3 0 1 0]
	// [0 1 0 1] [cat dog]
	// [2 1 0 0] true
	// 2 2
}

func ExampleTable_DetectTask() {
	tab, err := datasets.ReadCSV(strings.NewReader("x,label,price\n1,0,10.5\n2,1,12\n3,1,9.75\n4,0,11\n"), datasets.CSVOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, col := range []string{"label", "price"} {
		task, err := tab.DetectTask(col)
		fmt.Println(col, task, err)
	}
	// Output:
	// label classification <nil>
	// price regression <nil>
}
