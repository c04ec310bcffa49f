package models

import (
	"fmt"
	"strings"

	"github.com/profundo/profundo/layers"
)

// summary is a Sequential's Summary: a table of the layers, name and type,
// output shape and number of parameters, with the totals (frozen layers'
// weights counted as non-trainable), as Keras prints a Sequential. Before
// the model builds, shapes and counts read "?".
func (s *Sequential) summary() string {
	name := s.Name
	if name == "" {
		name = "sequential"
	}
	type row struct{ layer, shape, params string }
	rows := []row{{"Layer (type)", "Output Shape", "Param #"}}
	total, trainable := 0, 0
	if s.built {
		for _, nw := range s.namedWeights() {
			total += nw.w.Params()
			if nw.w.Trainable && !nw.frozen {
				trainable += nw.w.Params()
			}
		}
	}
	for i, l := range s.layers {
		r := row{layer: fmt.Sprintf("%s (%s)", l.LayerName(), typeName(l)), shape: "?", params: "?"}
		if s.built && i < len(s.nodes) {
			r.shape, r.params = s.nodes[i].shape.String(), groupDigits(paramsOf(l))
		}
		rows = append(rows, r)
	}
	w0, w1 := 0, 0
	for _, r := range rows {
		w0, w1 = max(w0, len(r.layer)), max(w1, len(r.shape))
	}
	w0, w1 = w0+3, w1+3
	width := w0 + w1 + 10
	var b strings.Builder
	fmt.Fprintf(&b, "Model: %q\n", name)
	b.WriteString(strings.Repeat("─", width) + "\n")
	for i, r := range rows {
		fmt.Fprintf(&b, "%-*s%-*s%s\n", w0, r.layer, w1, r.shape, r.params)
		if i == 0 {
			b.WriteString(strings.Repeat("═", width) + "\n")
		}
	}
	b.WriteString(strings.Repeat("─", width) + "\n")
	if s.built {
		fmt.Fprintf(&b, "Total params: %s\nTrainable params: %s\nNon-trainable params: %s\n",
			groupDigits(total), groupDigits(trainable), groupDigits(total-trainable))
	} else {
		b.WriteString("Not built: the input shape is not known yet.\n")
	}
	return b.String()
}

// kerasNames are the Keras class names CamelCase does not give.
var kerasNames = map[string]string{
	"lstm": "LSTM", "gru": "GRU", "simple_rnn": "SimpleRNN",
}

// typeName is the layer's kind as Keras's class name: dense -> Dense,
// max_pooling2d -> MaxPooling2D, lstm -> LSTM.
func typeName(l interface{ Kind() string }) string {
	if n, ok := kerasNames[l.Kind()]; ok {
		return n
	}
	parts := strings.Split(l.Kind(), "_")
	for i, p := range parts {
		if p != "" {
			p = strings.ToUpper(p[:1]) + p[1:]
			if len(p) > 2 && strings.HasSuffix(p, "d") && p[len(p)-2] >= '1' && p[len(p)-2] <= '3' {
				p = p[:len(p)-1] + "D" // conv2d -> Conv2D
			}
			parts[i] = p
		}
	}
	return strings.Join(parts, "")
}

// groupDigits writes n with thousands separators: 12,544.
func groupDigits(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Summary returns a table of the model's inputs and layer applications:
// name and type, output shape, number of parameters and the nodes each is
// connected to, with the totals, as Keras prints a functional model. A
// shared layer's parameters count once; a nested model is one row.
//
// A Sequential's model lists its layers in order, without the input and
// the connections, as Keras prints a Sequential.
func (f *Functional) Summary() string {
	if f.seq != nil {
		return f.seq.summary()
	}
	type row struct{ layer, shape, params, from string }
	rows := []row{{"Layer (type)", "Output Shape", "Param #", "Connected to"}}
	shape := func(n *Node) string {
		if !n.built {
			return "?"
		}
		return n.shape.String()
	}
	for _, in := range f.inputs {
		rows = append(rows, row{fmt.Sprintf("%s (InputLayer)", in.name), shape(in), "0", ""})
	}
	counted := map[any]bool{}
	for _, n := range f.nodes {
		r := row{layer: fmt.Sprintf("%s (%s)", n.Name(), typeName(kindName(n.kind()))), shape: shape(n), params: "0"}
		if o := n.owner(); !counted[o] {
			counted[o] = true
			r.params = groupDigits(paramsOf(o))
		}
		var from []string
		for _, in := range n.inputs {
			from = append(from, in.Name())
		}
		r.from = strings.Join(from, ", ")
		rows = append(rows, r)
	}
	w := [3]int{}
	for _, r := range rows {
		w[0], w[1], w[2] = max(w[0], len(r.layer)), max(w[1], len(r.shape)), max(w[2], len(r.params))
	}
	for i := range w {
		w[i] += 3
	}
	width := w[0] + w[1] + w[2] + 16
	var b strings.Builder
	fmt.Fprintf(&b, "Model: %q\n", f.displayName())
	b.WriteString(strings.Repeat("─", width) + "\n")
	for i, r := range rows {
		line := fmt.Sprintf("%-*s%-*s%-*s%s", w[0], r.layer, w[1], r.shape, w[2], r.params, r.from)
		b.WriteString(strings.TrimRight(line, " ") + "\n")
		if i == 0 {
			b.WriteString(strings.Repeat("═", width) + "\n")
		}
	}
	b.WriteString(strings.Repeat("─", width) + "\n")
	if !f.built {
		b.WriteString("Not built: compile the model to build it.\n")
		return b.String()
	}
	total, trained := 0, 0
	for _, nw := range f.namedWeights() {
		total += nw.w.Params()
		if nw.w.Trainable && !nw.frozen {
			trained += nw.w.Params()
		}
	}
	fmt.Fprintf(&b, "Total params: %s\nTrainable params: %s\nNon-trainable params: %s\n",
		groupDigits(total), groupDigits(trained), groupDigits(total-trained))
	return b.String()
}

// paramsOf counts the values of a layer's, merger's or nested model's
// weights.
func paramsOf(o any) int {
	n := 0
	if w, ok := o.(interface{ Weights() []*layers.Weight }); ok {
		for _, x := range w.Weights() {
			n += x.Params()
		}
	}
	return n
}

// kindName is a kind as a value typeName reads.
type kindName string

func (k kindName) Kind() string { return string(k) }
