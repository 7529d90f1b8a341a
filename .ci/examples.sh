#!/usr/bin/env bash
# Runs every example as a user would: built binaries, real processes, the
# consumer started in the background before its producer, then the consumer's
# output (and the audit file) checked against what the producer says it
# delivered. Run from anywhere as `bash .ci/examples.sh`; .ci/run calls it
# after starting Redis and RabbitMQ.
#
# Isolation: RabbitMQ work happens in a virtual host of its own, deleted at the
# end (so the examples use their default exchange names), and Redis streams get
# a suffix unique to this run and are deleted too. It needs go, timeout,
# redis-cli and rabbitmqctl (the RabbitMQ node must be local), and a NATS
# server with JetStream at NATS_URL (each NATS run uses a stream of its own,
# deleted at the end).
set -euo pipefail
cd "$(dirname "$0")/.."

export REDIS_URL="${REDIS_URL:-redis://localhost:6379}"
export NATS_URL="${NATS_URL:-nats://127.0.0.1:4222}"
rabbit_url="${RABBITMQ_URL:-amqp://guest:guest@localhost:5672/}"

for tool in go timeout redis-cli rabbitmqctl; do
  command -v "$tool" >/dev/null || { echo "FAIL examples: $tool is not installed"; exit 1; }
done

run="$$"
work="$(mktemp -d)"
bin="$work/bin"
vhost="streamll_examples_$run"
declare -A pid=()     # background processes by name
redis_keys=()         # streams to delete at exit
nats_streams=()       # JetStream streams to delete at exit

cleanup() {
  local name
  for name in "${!pid[@]}"; do
    kill -TERM "${pid[$name]}" 2>/dev/null || true
    wait "${pid[$name]}" 2>/dev/null || true
  done
  if ((${#redis_keys[@]})); then
    redis-cli -u "$REDIS_URL" DEL "${redis_keys[@]}" >/dev/null || true
  fi
  rabbitmqctl -q delete_vhost "$vhost" >/dev/null 2>&1 || true
  for name in "${nats_streams[@]}"; do
    timeout 20 "$bin/nats-jetstream" reset -stream "$name" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

pass() { printf 'PASS %s\n' "$*"; }

# fail NAME MESSAGE: report, show the example's logs, stop.
fail() {
  local name=$1 log
  shift
  printf 'FAIL %s: %s\n' "$name" "$*"
  for log in "$work/$name".*log; do
    [ -f "$log" ] && { echo "--- $log"; tail -n 40 "$log"; }
  done
  exit 1
}

# start NAME SECONDS CMD...: run CMD in the background, output to
# $work/NAME.log, killed after SECONDS at the latest.
start() {
  local name=$1 limit=$2
  shift 2
  timeout -k 5 "$limit" "$@" >"$work/$name.log" 2>&1 &
  pid[$name]=$!
}

# stop NAME: stop a background process with SIGTERM (as Ctrl-C would) and
# return its exit status. The timeout wrapper bounds the wait.
stop() {
  local name=$1 rc=0
  kill -TERM "${pid[$name]}" 2>/dev/null || true
  wait "${pid[$name]}" || rc=$?
  unset "pid[$name]"
  return "$rc"
}

# await SECONDS CMD...: retry CMD every 100ms until it succeeds or SECONDS pass.
await() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

# count FILE REGEX: how many lines of FILE match the extended REGEX (0 if
# FILE does not exist yet).
count() {
  local n
  n=$(grep -cE -- "$2" "$1" 2>/dev/null) || true
  echo "${n:-0}"
}

at_least() { (($(count "$1" "$2") >= $3)); }
has() { grep -qE -- "$2" "$1" 2>/dev/null; }

# number FILE SED_REGEX: the first number the regex captures in FILE.
number() { sed -nE "s/$2/\\1/p" "$1" | head -n 1; }

echo "=== examples: building"
mkdir -p "$bin"
examples=(quickstart saas-dashboard compliance-audit multi-environment routing health nats-jetstream custom-sink)
for ex in "${examples[@]}"; do
  go build -o "$bin/$ex" "./examples/$ex"
done

echo "=== examples: RabbitMQ virtual host $vhost"
rabbit_root=$(printf '%s' "$rabbit_url" | sed -E 's#^(amqps?://[^/?]*).*#\1#')
rabbit_user=$(printf '%s' "$rabbit_root" | sed -nE 's#^amqps?://([^:@/]+)(:[^@]*)?@.*#\1#p')
rabbitmqctl -q add_vhost "$vhost" >/dev/null
rabbitmqctl -q set_permissions -p "$vhost" "${rabbit_user:-guest}" '.*' '.*' '.*' >/dev/null
export RABBITMQ_URL="$rabbit_root/$vhost"

# --- quickstart: the terminal only -------------------------------------------
name=quickstart
timeout 30 "$bin/quickstart" >"$work/$name.log" 2>&1 || fail $name "exit status $?"
for want in '▶ forward \(' '◆ docs_found retrieval' "• llm_call \\([^)]*\\) 'streamll-go streams" '■ llm_call .*gen_ai.usage.output_tokens' '■ forward'; do
  has "$work/$name.log" "$want" || fail $name "no line matching $want"
done
pass "$name: the traced chatbot printed start, custom, token and end lines"

# --- saas-dashboard: producer -> Redis stream -> dashboard --------------------
name=saas-dashboard
stream="ai_platform_events_$run"
redis_keys+=("$stream")
start $name 60 "$bin/$name" dashboard -stream "$stream" -refresh 0
await 20 has "$work/$name.log" '^dashboard: reading' || fail $name "the dashboard did not start"
timeout 60 "$bin/$name" producer -stream "$stream" -documents 20 -token-delay 1ms >"$work/$name.producer.log" 2>&1 ||
  fail $name "producer exit status $?"
delivered=$(number "$work/$name.producer.log" '^delivered ([0-9]+) events.*')
[ -n "$delivered" ] && ((delivered > 0)) || fail $name "the producer delivered nothing"
await 30 at_least "$work/$name.log" '^done ' 20 || fail $name "the dashboard saw $(count "$work/$name.log" '^done ') of 20 documents"
stop $name || fail $name "the dashboard exited with status $?"
read_events=$(number "$work/$name.log" '^read ([0-9]+) events')
[ "$read_events" = "$delivered" ] || fail $name "the dashboard read $read_events events, the producer delivered $delivered"
rows='^(acme|globex|initech) '
diff <(grep -E "$rows" "$work/$name.producer.log") <(grep -E "$rows" "$work/$name.log") >"$work/$name.diff.log" ||
  fail $name "the dashboard's per-customer usage differs from the producer's"
(($(count "$work/$name.log" "$rows") == 3)) || fail $name "the dashboard does not show the 3 customers"
pass "$name: the dashboard read all $delivered events and counted the same operations and tokens per customer"

# --- compliance-audit: producer -> durable queue -> JSONL audit trail ---------
name=compliance-audit
trail="$work/loan_audit_trail.jsonl"
start $name 60 "$bin/$name" audit -file "$trail"
await 20 has "$work/$name.log" '^audit: storing' || fail $name "the audit consumer did not start"
timeout 60 "$bin/$name" producer -applications 10 >"$work/$name.producer.log" 2>&1 || fail $name "producer exit status $?"
delivered=$(number "$work/$name.producer.log" '^delivered ([0-9]+) events.*')
[ -n "$delivered" ] && ((delivered > 0)) || fail $name "the producer delivered nothing"
await 30 at_least "$trail" . "$delivered" || fail $name "the trail holds $(count "$trail" .) of $delivered events"
stop $name || fail $name "the audit consumer exited with status $?"
lines=$(count "$trail" .)
((lines == delivered)) || fail $name "the trail holds $lines events, the producer delivered $delivered"
dups=$(grep -oE '"event_id":"[^"]+"' "$trail" | sort | uniq -d | wc -l)
((dups == 0)) || fail $name "$dups events were stored twice"
# The routing key is loan.<operation>.<event_type> of the event it carries.
keyed=$(count "$trail" '"routing_key":"loan\.([a-z_]+)\.([a-z_]+)".*"event_type":"\2","operation":"\1"')
((keyed == delivered)) || fail $name "$((delivered - keyed)) records have a routing key that does not match their event"
for tag in '"department":"lending"' '"risk_level":"high"' '"loan_id":"L-2026-[0-9]+"'; do
  (($(count "$trail" "$tag") == delivered)) || fail $name "not every event has the tag $tag"
done
(($(count "$trail" '"routing_key":"loan\.loan_decision\.start"') == 10)) || fail $name "not 10 decisions in the trail"
pass "$name: all $delivered events stored once, with routing keys loan.<operation>.<event_type> and the lending tags"

# --- multi-environment: development, staging, production ----------------------
name=multi-environment
ENVIRONMENT=development timeout 30 "$bin/$name" >"$work/$name.dev.log" 2>&1 || fail $name "development: exit status $?"
has "$work/$name.dev.log" '^terminal: delivered 20 events, dropped 0$' || fail $name "development: not 20 events on the terminal"
has "$work/$name.dev.log" '✗ forward .*empty request' || fail $name "development: the failed request is not shown"
pass "$name (development): 20 events on the terminal"

stream="staging_ai_events_$run"
redis_keys+=("$stream")
ENVIRONMENT=staging timeout 30 "$bin/$name" -stream "$stream" >"$work/$name.staging.log" 2>&1 ||
  fail $name "staging: exit status $?"
for want in '^terminal: delivered 20 events, dropped 0$' "^redis:$stream: delivered 20 events, dropped 0\$" "• llm_call .*'Summarize the incident report'"; do
  has "$work/$name.staging.log" "$want" || fail $name "staging: no line matching $want"
done
redis-cli -u "$REDIS_URL" --no-raw XRANGE "$stream" - + >"$work/$name.xrange.log"
(($(redis-cli -u "$REDIS_URL" XLEN "$stream") == 20)) || fail $name "staging: the stream does not hold 20 entries"
(($(grep -o '\\"module_name\\":\\"ProductionAIService\\"' "$work/$name.xrange.log" | wc -l) == 20)) ||
  fail $name "staging: not every entry is a ProductionAIService event"
pass "$name (staging): 20 events on the terminal and in Redis stream $stream"

stream="prod_ai_events_$run"
redis_keys+=("$stream")
ENVIRONMENT=production timeout 30 "$bin/$name" -stream "$stream" -queue production_audit >"$work/$name.production.log" 2>&1 ||
  fail $name "production: exit status $?"
for want in "^redis:$stream: delivered 20 events, dropped 0\$" '^rabbitmq:production_ai: delivered 20 events, dropped 0$' \
  'REDIS_CLUSTER_URL is not set: using REDIS_URL' 'RABBITMQ_CLUSTER_URL is not set: using RABBITMQ_URL'; do
  has "$work/$name.production.log" "$want" || fail $name "production: no line matching $want"
done
(($(redis-cli -u "$REDIS_URL" XLEN "$stream") == 20)) || fail $name "production: the stream does not hold 20 entries"
queued=$(rabbitmqctl -q list_queues -p "$vhost" name messages | awk '$1 == "production_audit" { print $2 }')
[ "$queued" = 20 ] || fail $name "production: queue production_audit (bound ai.#) holds '$queued' messages, want 20"
pass "$name (production): 20 events in Redis stream $stream and 20 routed ai.# from exchange production_ai"

# --- routing: one producer, three destinations, a consumer for each ------------
name=routing
stream="ai_monitoring_$run"
redis_keys+=("$stream")
start $name 60 "$bin/$name" consumers -stream "$stream"
await 20 has "$work/$name.log" '^consumers: reading' || fail $name "the consumers did not start"
timeout 60 "$bin/$name" producer -stream "$stream" -transactions 6 >"$work/$name.producer.log" 2>&1 ||
  fail $name "producer exit status $?"
declare -A want=()
for dest in monitoring audit alerts; do
  want[$dest]=$(number "$work/$name.producer.log" "^$dest: delivered ([0-9]+) events")
  [ -n "${want[$dest]}" ] || fail $name "the producer did not report $dest"
  await 30 at_least "$work/$name.log" "^\\[$dest\\]" "${want[$dest]}" ||
    fail $name "$dest got $(count "$work/$name.log" "^\\[$dest\\]") of ${want[$dest]} events"
done
stop $name || fail $name "the consumers exited with status $?"
for dest in monitoring audit alerts; do
  has "$work/$name.log" "^$dest: ${want[$dest]} events\$" || fail $name "$dest: the consumer's count differs from the producer's ${want[$dest]}"
done
((want[monitoring] == want[audit])) || fail $name "monitoring and audit should both get every event"
errors=$(awk '$1 == "[monitoring]" && $4 == "error"' "$work/$name.log" | wc -l)
((errors > 0 && errors == want[alerts])) || fail $name "alerts got ${want[alerts]} events, monitoring saw $errors errors"
(($(count "$work/$name.log" '^\[alerts\] +alert\.[a-z_]+\.error +[a-z_]+ +error ') == want[alerts])) ||
  fail $name "an alert is not an error event routed alert.<operation>.error"
(($(count "$work/$name.log" '^\[audit\] +audit\.RiskEngine\.[a-z]+ ') == want[audit])) ||
  fail $name "an audit event is not routed audit.RiskEngine.<event_type>"
pass "$name: monitoring and audit got all ${want[audit]} events, alerts exactly the $errors error events"

# --- health: the seed's health check, once -----------------------------------
name=health
stream="streamll_events_$run"
redis_keys+=("$stream")
timeout 30 "$bin/$name" -once -quiet -stream "$stream" >"$work/$name.log" 2>&1 || fail $name "exit status $? with every server up"
(($(count "$work/$name.log" '^✅ .*: running=true$') == 3)) || fail $name "not 3 running sinks"
(($(count "$work/$name.log" '^   delivered=30 dropped=0 buffered=0$') == 3)) || fail $name "not 30 events delivered by each sink"
! has "$work/$name.log" 'Circuit breaker: OPEN|Recent failures' || fail $name "a sink failed with every server up"
rc=0
REDIS_URL=redis://127.0.0.1:1 timeout 30 "$bin/$name" -once -quiet -breaker-threshold 2 -settle 1s -close-timeout 200ms \
  >"$work/$name.dead.log" 2>&1 || rc=$?
((rc == 1)) || fail $name "exit status $rc with Redis unreachable, want 1"
for want in '^⚠️  Recent failures: 2$' '^🔴 Circuit breaker: OPEN$' 'a sink is unhealthy'; do
  has "$work/$name.dead.log" "$want" || fail $name "Redis unreachable: no line matching $want"
done
pass "$name: healthy with every server up; Redis unreachable shows failures, an open circuit and exit status 1"

# --- nats-jetstream: producer -> JetStream stream -> durable pull consumer ------
name=nats-jetstream
stream="ai_events_$run"
nats_streams+=("$stream")
start $name 60 "$bin/$name" consumer -stream "$stream"
await 20 has "$work/$name.log" '^consumer: reading' || fail $name "the consumer did not start"
timeout 60 "$bin/$name" producer -stream "$stream" -questions 8 -token-delay 1ms >"$work/$name.producer.log" 2>&1 ||
  fail $name "producer exit status $?"
delivered=$(number "$work/$name.producer.log" '^delivered ([0-9]+) events.*')
[ -n "$delivered" ] && ((delivered > 0)) || fail $name "the producer delivered nothing"
await 30 at_least "$work/$name.log" '^ai\.' "$delivered" || fail $name "the consumer read $(count "$work/$name.log" '^ai\.') of $delivered events"
stop $name || fail $name "the consumer exited with status $?"
has "$work/$name.log" "^consumer: read $delivered events \\(0 duplicates skipped\\)" || fail $name "the consumer's count differs from the producer's $delivered"
tokens=$(number "$work/$name.producer.log" '.* ([0-9]+) tokens streamed$')
has "$work/$name.log" ": $tokens tokens, 4 errors;" || fail $name "the consumer did not count the $tokens tokens and 4 errors of 2 failed questions"
# Each line's subject is ai.<module>.<event_type>, and no event is there twice.
(($(count "$work/$name.log" '^ai\.(ResearchAgent|Retriever|Writer)\.(start|end|error|token|sources_found) ') == delivered)) ||
  fail $name "a subject is not ai.<module>.<event_type>"
dups=$(grep -E '^ai\.' "$work/$name.log" | awk '{ print $4 }' | sort | uniq -d | wc -l)
((dups == 0)) || fail $name "$dups events were read twice"
# The durable consumer resumes after its acks: a second producer run's events, and only those.
timeout 60 "$bin/$name" producer -stream "$stream" -questions 3 -token-delay 1ms >"$work/$name.producer2.log" 2>&1 ||
  fail $name "second producer exit status $?"
again=$(number "$work/$name.producer2.log" '^delivered ([0-9]+) events.*')
timeout 60 "$bin/$name" consumer -stream "$stream" -idle 2s >"$work/$name.resume.log" 2>&1 || fail $name "resumed consumer exit status $?"
has "$work/$name.resume.log" "^consumer: read $again events \\(0 duplicates skipped\\)" ||
  fail $name "the resumed consumer did not read exactly the $again new events"
pass "$name: the durable consumer read all $delivered events once on ai.<module>.<event_type>, then resumed with exactly the $again new ones"

# --- custom-sink: a webhook sink of the user's own -> its receiver -------------
name=custom-sink
start $name 60 "$bin/$name" receiver -listen 127.0.0.1:0
await 20 has "$work/$name.log" '^receiver: listening on ' || fail $name "the receiver did not start"
hook=$(number "$work/$name.log" '^receiver: listening on (http[^ ]+)$')
WEBHOOK_URL="$hook" timeout 60 "$bin/$name" producer -questions 3 -token-delay 1ms >"$work/$name.producer.log" 2>&1 ||
  fail $name "producer exit status $?"
delivered=$(number "$work/$name.producer.log" '^delivered ([0-9]+) events to webhook:.*, dropped 0$')
[ -n "$delivered" ] && ((delivered > 0)) || fail $name "the producer did not deliver everything"
await 30 at_least "$work/$name.log" '^(start|token|end|faq_matched) ' "$delivered" ||
  fail $name "the receiver printed $(count "$work/$name.log" '^(start|token|end|faq_matched) ') of $delivered events"
stop $name || fail $name "the receiver exited with status $?"
has "$work/$name.log" "^receiver: kept $delivered events \\(0 copies dropped\\)\$" || fail $name "the receiver did not keep the $delivered events"
(($(count "$work/$name.log" '^start ') == 3)) || fail $name "not 3 answers"
pass "$name: the receiver kept the $delivered events the webhook sink delivered, each once"

echo "=== examples: all passed"
