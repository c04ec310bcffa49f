package models

import (
	"fmt"
	"strings"
)

// Summary returns a table of the layers: name and type, output shape and
// number of parameters, with the totals, as Keras prints it. Before the
// model builds, shapes and counts read "?".
func (s *Sequential) Summary() string {
	name := s.Name
	if name == "" {
		name = "sequential"
	}
	type row struct{ layer, shape, params string }
	rows := []row{{"Layer (type)", "Output Shape", "Param #"}}
	total, trainable := 0, 0
	for i, l := range s.layers {
		r := row{layer: fmt.Sprintf("%s (%s)", l.LayerName(), typeName(l)), shape: "?", params: "?"}
		if s.built {
			n := 0
			for _, w := range l.Weights() {
				n += w.Params()
				if w.Trainable {
					trainable += w.Params()
				}
			}
			total += n
			r.shape, r.params = s.shapes[i].String(), groupDigits(n)
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
