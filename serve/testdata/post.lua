-- wrk script: POST one row of the UCI digits (the first sample, a "0", raw
-- pixel values 0-16 as "profundo train" expects; its saved model standardizes
-- them) to /v1/predict.
--
--   profundo train --quiet --out /tmp/digits-model
--   profundo serve --model /tmp/digits-model --addr 127.0.0.1:8080 &
--   wrk -t2 -c8 -d15s --latency -s serve/testdata/post.lua http://127.0.0.1:8080/v1/predict
--
-- wrk reports answers other than 2xx or 3xx as "Non-2xx or 3xx responses".
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"instances": [[0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,0,3,15,2,0,11,8,0,0,4,12,0,0,8,8,0,0,5,8,0,0,9,8,0,0,4,11,0,1,12,7,0,0,2,14,5,10,12,0,0,0,0,6,13,10,0,0,0]]}'

