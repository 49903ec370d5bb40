#!/usr/bin/env bash
# bench-cds.sh measures the CDS Hooks services of osler serve under load, as
# docs/BENCHMARKS.md records it ("Issue #11 (CDS Hooks)"):
#
#  - a registry with an ADE classifier (6,000 synthetic sentences, as
#    scripts/bench-serve.sh trains it) and a small summarizer, both
#    registered and approved;
#  - for each JWT algorithm in ALGS: a CDS client key served as a JWKS by
#    `osler cds keys --serve`, trusted with --cds-trust, and osler serve with
#    --public-url and the example payer rules;
#  - the order-select requests an EHR would send for one Synthea patient
#    (cbc86e51..., with a recorded aspirin allergy), prefetch included, built
#    with cdshooks.NewRequest (scripts/cdsrequest): aspirin drafted for
#    osler-ade-alert, Ozempic (RxNorm 2398842, Coverage/c1) for osler-crd;
#  - scripts/loadgen at CONNS connections against each service, a WARM-second
#    warm-up and then RUNS timed runs of DUR seconds, every request with its
#    own JWT signed before the run (aud = public URL + path, one use each).
#
# It prints each run's JSON (accepted p50/p99/max in ms, requests/s, status
# counts, transport errors, 5xx) and the 5xx count of the access log.
#
# Usage: scripts/bench-cds.sh                      (ES384, 3 runs of 20 s)
#        ALGS="ES384 RS384" RUNS=3 DUR=20 scripts/bench-cds.sh
#        SERVICES=osler-ade-alert CONNS=32 scripts/bench-cds.sh
# Needs ../shared (the Synthea bundles): without it, it says so and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:${PATH}"

SHARED=${OSLER_SHARED:-../shared}
PATIENT=${PATIENT:-cbc86e51-9eca-3855-76ec-c058f72c5761}
BUNDLE="$SHARED/data/synthea_fhir/patient-$PATIENT.json"
if [ ! -f "$BUNDLE" ]; then
  echo "bench-cds: skipped: the Synthea bundle $BUNDLE is not there (the shared folder ../shared is absent; set OSLER_SHARED to its path)"
  exit 0
fi
ALGS=${ALGS:-ES384}
SERVICES=${SERVICES:-"osler-ade-alert osler-crd"}
CONNS=${CONNS:-32}
DUR=${DUR:-20}
WARM=${WARM:-5}
RUNS=${RUNS:-3}
RATE=${RATE:-1500} # requests/s to sign tokens for: the most expected, so runs never run dry
PORT=${PORT:-18490}
JWKS_PORT=${JWKS_PORT:-18491}
PUBLIC_URL=${PUBLIC_URL:-https://osler.bench.example}
RULES=docs/examples/crd-rules.yaml

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== building osler, loadgen, cdsrequest"
go build -o "$WORK/osler" ./cmd/osler
go build -o "$WORK/loadgen" ./scripts/loadgen
go build -o "$WORK/cdsrequest" ./scripts/cdsrequest

echo "== training and approving the ADE classifier and a summarizer"
export OSLER_HOME="$WORK/home"
unset OSLER_MASTER_KEY OSLER_MASTER_KEY_FILE
O="$WORK/osler"
"$O" data synth --kind ade --n 6000 --seed 1 --out "$WORK/ade.jsonl" >/dev/null 2>&1
"$O" data split "$WORK/ade.jsonl" --test 0.2 --dev 0.1 --seed 1 >/dev/null
"$O" train classifier --train "$WORK/ade.train.jsonl" --dev "$WORK/ade.dev.jsonl" --out "$WORK/ade-model" --register ade >/dev/null 2>&1
"$O" data synth --kind radiology --n 400 --seed 1 --out "$WORK/rad.jsonl" >/dev/null 2>&1
"$O" train summarizer --train "$WORK/rad.jsonl" --out "$WORK/rad-model" --no-cv --baselines=false --register rad >/dev/null 2>&1
"$O" models approve ade:1 >/dev/null
"$O" models approve rad:1 >/dev/null
# serve refuses to start without an API key; the CDS services use JWTs only.
"$O" keys create --name bench --scope predict >/dev/null

echo "== building the requests ($PATIENT)"
declare -A ORDER=([osler-ade-alert]=aspirin [osler-crd]=semaglutide)
for svc in $SERVICES; do
  "$WORK/cdsrequest" -bundle "$BUNDLE" -service "$svc" -hook order-select -order "${ORDER[$svc]}" -rules "$RULES" -n 64 -out "$WORK/$svc.jsonl"
  echo "$svc: order-select, draft ${ORDER[$svc]}, $(head -1 "$WORK/$svc.jsonl" | wc -c) bytes a request (prefetch included), 64 hookInstances"
done

echo "== keys and server"
TRUST=()
i=0
for alg in $ALGS; do
  port=$((JWKS_PORT + i))
  iss="http://127.0.0.1:$port"
  "$O" cds keys --out "$WORK/client-$alg.pem" --alg "$alg" --serve "127.0.0.1:$port" --issuer "$iss" >"$WORK/keys-$alg.out" 2>"$WORK/keys-$alg.log" &
  PIDS+=($!)
  for _ in $(seq 100); do grep -q -- --cds-trust "$WORK/keys-$alg.out" && break; sleep 0.1; done
  TRUST+=(--cds-trust "$(awk '/--cds-trust/ {print $2}' "$WORK/keys-$alg.out")")
  i=$((i + 1))
done
"$O" serve --addr "127.0.0.1:$PORT" --public-url "$PUBLIC_URL" --cds-rules "$RULES" "${TRUST[@]}" 2>"$WORK/serve.log" &
OSLER_PID=$!
PIDS+=($OSLER_PID)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/ping" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "http://127.0.0.1:$PORT/ping" >/dev/null || { echo "bench-cds: osler serve did not start:" >&2; cat "$WORK/serve.log" >&2; exit 1; }

echo
echo "machine: $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}'), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(go version | awk '{print $3}'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "osler serve --public-url $PUBLIC_URL --cds-rules $RULES ${TRUST[*]}"
echo "loadgen: $CONNS connections, ${WARM}s warm-up, $RUNS runs of ${DUR}s per service and algorithm, one JWT per request signed before each run"
i=0
for alg in $ALGS; do
  iss="http://127.0.0.1:$((JWKS_PORT + i))"
  i=$((i + 1))
  for svc in $SERVICES; do
    path="/cds-services/$svc"
    lg=("$WORK/loadgen" -url "http://127.0.0.1:$PORT$path" -c "$CONNS" -bodies "$WORK/$svc.jsonl"
      -sign-key "$WORK/client-$alg.pem" -issuer "$iss" -aud "$PUBLIC_URL$path")
    "${lg[@]}" -d "${WARM}s" -tokens $((RATE * WARM)) >/dev/null
    for run in $(seq "$RUNS"); do
      echo
      echo "== $alg $svc run $run (load average $(cut -d' ' -f1-3 /proc/loadavg))"
      before=$(wc -l <"$WORK/serve.log")
      "${lg[@]}" -d "${DUR}s" -tokens $((RATE * DUR)) >"$WORK/run.json"
      cat "$WORK/run.json"
      tail -n +$((before + 1)) "$WORK/serve.log" | grep -F '"route":"cds_call"' >"$WORK/run.log" || true
      echo "server's access log during this run: $(grep -c '"status":5' "$WORK/run.log" || true) 5xx; handler time (from the request's arrival to its answer, the client's wait in its connection and the network excluded): $(grep -o '"duration_ms":[0-9.]*' "$WORK/run.log" | cut -d: -f2 | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d requests", v[int(NR * 0.5 + 0.5)], v[int(NR * 0.99 + 0.5)], v[NR], NR }')"
      if grep -q '"tokens_exhausted": true' "$WORK/run.json"; then
        echo "bench-cds: warning: the run used every signed token and ended early; raise RATE" >&2
      fi
    done
  done
done
echo
echo "responses with a 5xx status in the server's access log: $(grep -c '"status":5' "$WORK/serve.log" || true); 401s: $(grep -c '"status":401' "$WORK/serve.log" || true)"
