package linkcheck

import (
	"bufio"
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/streamll/streamll-go"

// goTool returns the go command, skipping t where there is none (go test
// was run by its full path, with a PATH that lacks it).
func goTool(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("go is not on PATH: %v", err)
	}
	return path
}

func run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

// TestBusAndTerminalLinkNoExtras builds the bus + terminal program and reads
// its symbols: none of bus/prom, of a driver it does not use, or of their
// client libraries.
func TestBusAndTerminalLinkNoExtras(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program: skipped in -short mode")
	}
	gobin := goTool(t)
	bin := filepath.Join(t.TempDir(), "busterminal")
	run(t, gobin, "build", "-o", bin, "./testdata/busterminal")

	forbidden := []string{
		module + "/bus/prom.",
		module + "/actors/sinks/redissink.",
		module + "/actors/sinks/rabbitmqsink.",
		module + "/actors/sinks/sinkurl.",
		module + "/llmhttp.",
		"github.com/redis/go-redis/",
		"github.com/rabbitmq/amqp091-go.",
	}
	found := map[string]string{} // forbidden prefix -> a symbol
	prometheus := 0
	sc := bufio.NewScanner(bytes.NewReader(run(t, gobin, "tool", "nm", bin)))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 {
			continue
		}
		sym := fields[len(fields)-1]
		for _, f := range forbidden {
			if strings.Contains(sym, f) && found[f] == "" {
				found[f] = sym
			}
		}
		if strings.Contains(sym, "github.com/prometheus/") {
			prometheus++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for f, sym := range found {
		t.Errorf("a bus + terminal program links %s (e.g. %s)", strings.TrimSuffix(f, "."), sym)
	}

	// Logged, not asserted: what protoactor's actor package brings.
	var mods []string
	for line := range strings.Lines(string(run(t, gobin, "version", "-m", bin))) {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "dep" {
			mods = append(mods, f[1])
		}
	}
	t.Logf("a bus + terminal program links %d modules; %d symbols of the Prometheus client, all through protoactor-go's actor package",
		len(mods), prometheus)
}

// TestOnlyBusPromImportsPrometheus: Prometheus is opt-in. No package of this
// module but bus/prom (and the examples, which are programs) imports the
// Prometheus client.
func TestOnlyBusPromImportsPrometheus(t *testing.T) {
	out := run(t, goTool(t), "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"/...")
	for line := range strings.Lines(string(out)) {
		pkg, imports, _ := strings.Cut(strings.TrimSpace(line), " ")
		if pkg == module+"/bus/prom" || strings.HasPrefix(pkg, module+"/examples/") {
			continue
		}
		for imp := range strings.FieldsSeq(imports) {
			if strings.HasPrefix(imp, "github.com/prometheus/") {
				t.Errorf("%s imports %s: only bus/prom may", pkg, imp)
			}
		}
	}
}
