-- wrk script: POST the AdmissionReview in $KEYWARD_BENCH_BODY as the
-- kube-apiserver does (keep-alive, application/json).
local file = assert(io.open(os.getenv("KEYWARD_BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = file:read("*a")
file:close()
