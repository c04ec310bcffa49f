// Package ops holds the Gorgonia graph pieces that layers and losses share:
// ops of Profundo's own where Gorgonia's are slow or wrong, and
// compositions of Gorgonia's primitives.
//
// The hot ops (Dense, Conv2D, MaxPool2D, AvgPool2D, ReLU and the layout
// ops) implement gorgonia.Op and gorgonia.SDOp. Each works channels-last,
// computes in one pass into an output buffer it keeps from run to run, and
// has gradient ops that do the same, so a training step allocates almost
// nothing; Buffered lets a caller drop the buffers of a graph it is done
// with. Recurrent runs a whole SimpleRNN, LSTM or GRU sequence
// as one op, and its gradient as one op of backpropagation through time. Each op instance hashes by an id of its own, because Gorgonia
// merges nodes that hash alike. Do returns errors and never panics.
//
// What Gorgonia v0.9.18 and tensor v0.9.24 get wrong, found while writing
// them (each has a test here or in layers):
//   - gorgonia.Reshape returns a tensor sharing its input's memory, which
//     the tape machine then treats as the reshape's own: an in-place op on
//     the result overwrites the input (CopyReshape copies instead).
//   - SoftMax and LogSoftMax shift every row by the batch's first value,
//     not the row's maximum, and hash alike (Softmax, LogSoftmax here).
//   - tensor's Sum along the second-to-last axis of a tensor of four or
//     more dimensions is wrong when that axis is longer than 2, so
//     broadcasting over three axes gets wrong gradients.
//   - InverseSqrt's gradient is wrong (-g/(2y³) instead of -g·y³/2).
//   - MaxPool2D with asymmetric padding offsets its windows by the
//     bottom/right pads.
//   - Conv2d is NCHW, im2col + matmul + a transpose, and allocates about
//     200 MiB per batch of the reference CNN; Rectify copies twice.
package ops
