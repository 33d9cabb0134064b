-- wrk: POST an AdmissionReview as the kube-apiserver does (Go's net/http
-- client): JSON with Accept-Encoding: gzip, which Go's transport adds to
-- every request unless compression is turned off, and a Go User-Agent.
--   KEYWARD_BENCH_BODY=review.json [KEYWARD_BENCH_NO_GZIP=1] wrk -s bench/apiserver.lua URL
local f = assert(io.open(os.getenv("KEYWARD_BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, */*"
wrk.headers["User-Agent"] = "Go-http-client/1.1"
if os.getenv("KEYWARD_BENCH_NO_GZIP") == nil then
  wrk.headers["Accept-Encoding"] = "gzip"
end

