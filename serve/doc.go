// Package serve serves a model's predictions over HTTP, in TensorFlow
// Serving's REST shape, so that existing clients work:
//
//	POST /v1/predict                 {"instances": [[...], ...]}
//	POST /v1/models/NAME:predict     the same (any NAME)
//	  -> 200 {"predictions": [[p0, ..., pk], ...], "classes": ["3", ...]}
//	GET  /healthz                    200 "ok" while the process runs
//	GET  /readyz                     200 once the replicas are ready, 503 while shutting down
//	GET  /metrics                    Prometheus text format 0.0.4
//
// Each instance is one row: a flat list of the model's input size
// (InputShape().Size() numbers), or nested lists of the input shape ([8][8]
// for an 8x8 input), or a bare number when the input has one value. The
// rows are what the model's Predict takes: the model's saved preprocessing
// (Functional.Preprocessing, a fitted scaler say) is applied to them, so
// clients send raw features. Any model is served, a Sequential or a
// functional one. A model of several inputs or outputs takes TF Serving's
// named forms, columnar {"inputs": {"a": [...], "b": [...]}} (a list of
// instances per input) and rows {"instances": [{"a": ..., "b": ...}, ...]},
// and answers {"outputs": {"y": [...], "z": [...]}} or {"predictions":
// [{"y": ..., "z": ...}, ...]} by output name (the plain forms for one
// output); a missing, extra or misshapen input is a 400 naming it. A model trained on a CSV table
// (Functional.Tabular) takes raw table rows, as predict does: an instance is
// a JSON object naming the feature columns ({"x1": 0.5, "color": "blue"};
// null is a missing value, the target column may come along and is not
// used) or a list of the raw cells in the columns' order ([0.5, "blue"]);
// a list of the encoded features, in the order of Tabular.FeatureNames,
// works too. Errors about such rows list the columns the model takes and
// their categories. TF Serving's columnar form,
// {"inputs": [[...], ...]} (or {"inputs": {"NAME": [[...], ...]}} with one
// name), is taken too and answered as {"outputs": ...}; "signature_name" is
// accepted and ignored; for a model of one input, named per-instance
// objects ({"instances": [{"x": [...]}]}) are not supported, except as a
// table model's raw rows.
//
// "predictions" holds each row's output exactly as TF Serving does (nested
// when the output has more than one dimension). "classes" beside it holds
// each row's most probable class: its name from the model's ClassNames, or
// its index as a string; for a one-unit output (a sigmoid) the class is 1
// when the value is at least 0.5. A model with a one-unit output and no
// class names (a regression) and a model whose output has more than one
// dimension get no "classes".
//
// Bad requests are answered with a JSON body {"error": "..."} that says what
// was wrong and with which instance: 400 for malformed JSON, a wrong number
// of values, a value that is not a number or is out of range, no instances;
// 413 for a body over Options.MaxBodyBytes or more instances than
// Options.MaxBatch (TF Serving says 400 for the latter; 413 lets a client
// tell "split the batch" from "fix the data"); 405 for a method other than
// POST; 404 for an unknown path; 503 when no replica is free within
// Options.RequestTimeout; 500 when the model fails or its output is not
// finite (JSON cannot carry NaN or Inf). A request whose client goes away
// before its answer is counted in the metrics as 499.
//
// # Concurrency
//
// A model runs one graph at a time, so the server keeps a pool
// of replicas (Functional.Replica: shared weights, graphs of their own),
// Options.Replicas of them, handed out through a channel: a request waits
// for a free one (or for its deadline) and predicts on it alone. Rows are
// padded with zeros to a power-of-two batch of at most 32 (larger requests
// go in chunks of 32), so a replica keeps at most six graphs whatever batch
// sizes clients send, all built by New; each row's prediction is the same
// as alone, since inference graphs compute every row independently.
//
// # Load testing
//
// TestLoad (PROFUNDO_LOAD_TEST=1 go test -run TestLoad -v ./serve/) sends
// single-row requests from 8 clients over loopback to a real http.Server
// and reports requests/s, latency percentiles, errors and the live heap
// after warm-up, half way and at the end. BenchmarkHandlerPredict times the
// handler alone. With wrk (Debian's wrk package) against the command, on the
// model "profundo train" saves (testdata/post.lua posts one raw digits row):
//
//	profundo train --quiet --out /tmp/digits-model
//	profundo serve --model /tmp/digits-model --addr 127.0.0.1:8080 &
//	wrk -t2 -c8 -d15s --latency -s serve/testdata/post.lua http://127.0.0.1:8080/v1/predict
//	curl -s http://127.0.0.1:8080/metrics
package serve
