package rabbitmqsink

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/streamll/streamll-go/events"
)

func TestRoutingKeyRender(t *testing.T) {
	ev := &events.Event{
		EventID:     "V1StGXR8Z5jd",
		ExecutionID: "k3Jd9aQ01LmZ",
		ModuleName:  "ChatBot",
		MethodName:  "forward",
		EventType:   events.TypeToken,
		Operation:   "llm_call",
		Tags:        map[string]string{"department": "lending", "risk level": "high"},
	}
	cases := []struct {
		name     string
		template string
		mutate   func(ev *events.Event)
		want     string
	}{
		{"Default", DefaultRoutingKey, nil, "streamll.token"},
		{"SeedAudit", "loan.{operation}.{event_type}", nil, "loan.llm_call.token"},
		{"SeedProduction", "ai.{module_name}.{event_type}", nil, "ai.ChatBot.token"},
		{"Fixed", "alert.errors", nil, "alert.errors"},
		{"EveryField", "{event_type}.{operation}.{module_name}.{method_name}.{execution_id}", nil, "token.llm_call.ChatBot.forward.k3Jd9aQ01LmZ"},
		{"Tag", "dept.{tag:department}", nil, "dept.lending"},
		{"TagWithSpaceInName", "{tag:risk level}", nil, "high"},
		{"MissingTag", "dept.{tag:team}", nil, "dept.unknown"},
		{"EmptyOperation", "x.{operation}", func(ev *events.Event) { ev.Operation = "" }, "x.unknown"},
		{"DotInModule", "ai.{module_name}.{event_type}", func(ev *events.Event) { ev.ModuleName = "pkg.sub.Bot" }, "ai.pkg_sub_Bot.token"},
		{"Wildcards", "{operation}", func(ev *events.Event) { ev.Operation = "a*b#c" }, "a_b_c"},
		{"Whitespace", "{operation}", func(ev *events.Event) { ev.Operation = "llm call\t\n" }, "llm_call__"},
		{"ControlAndInvalidUTF8", "{operation}", func(ev *events.Event) { ev.Operation = "a\x00b\xffc" }, "a_b_c"},
		{"Unicode", "{module_name}", func(ev *events.Event) { ev.ModuleName = "Générateur" }, "Générateur"},
		{"LiteralBraces", "{{x}}.{event_type}", nil, "{x}.token"},
		{"OnlyADot", "{operation}", func(ev *events.Event) { ev.Operation = "." }, "_"},
		{"LongValueCut", "a.{operation}", func(ev *events.Event) { ev.Operation = strings.Repeat("é", 200) }, "a." + strings.Repeat("é", 126)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k, err := parseRoutingKey(c.template)
			if err != nil {
				t.Fatalf("parseRoutingKey(%q): %v", c.template, err)
			}
			e := *ev
			if c.mutate != nil {
				c.mutate(&e)
			}
			if got := k.render(&e); got != c.want {
				t.Errorf("render = %q, want %q", got, c.want)
			}
		})
	}
}

func TestRoutingKeyParseErrors(t *testing.T) {
	cases := []struct {
		name, template, want string
	}{
		{"Empty", "", "empty"},
		{"UnknownPlaceholder", "loan.{customer}", "unknown placeholder {customer}"},
		{"EmptyPlaceholder", "loan.{}", "empty placeholder"},
		{"EmptyTagName", "loan.{tag:}", "names no tag"},
		{"Unterminated", "loan.{operation", "unterminated"},
		{"UnmatchedClose", "loan.operation}", "unmatched '}'"},
		{"TooLongLiteral", strings.Repeat("a", 256), "over AMQP's 255-byte limit"},
		{"TooManyPlaceholders", strings.Repeat("{operation}.", 16), "bytes per value"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseRoutingKey(c.template)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("parseRoutingKey(%q) = %v, want an error containing %q", c.template, err, c.want)
			}
		})
	}
}

func TestRoutingKeyRenderAllocs(t *testing.T) {
	k, err := parseRoutingKey("ai.{module_name}.{event_type}")
	if err != nil {
		t.Fatal(err)
	}
	ev := &events.Event{ModuleName: "ChatBot", EventType: events.TypeToken}
	k.render(ev)
	if n := testing.AllocsPerRun(100, func() { k.render(ev) }); n != 0 {
		t.Errorf("render of a cached key allocates %v times, want 0", n)
	}
}

// FuzzRoutingKey: whatever the template and values, rendering never panics,
// never yields an empty key or one over 255 bytes, and never has more (or
// fewer) words than the template's literal text gives it.
func FuzzRoutingKey(f *testing.F) {
	f.Add("loan.{operation}.{event_type}", "llm.call", "token", "Chat Bot", "team")
	f.Add("{module_name}", "", "", "", "")
	f.Add("ai.{tag:team}.{method_name}", "*", "#", "a.b.c", "x\x00y")
	f.Add("{{{execution_id}}}", "é", "\xff", " ", "..")
	f.Fuzz(func(t *testing.T, template, operation, eventType, module, tag string) {
		k, err := parseRoutingKey(template)
		if err != nil {
			return
		}
		ev := &events.Event{
			Operation:   operation,
			EventType:   events.Type(eventType),
			ModuleName:  module,
			MethodName:  tag,
			ExecutionID: operation + module,
			Tags:        map[string]string{"team": tag},
		}
		key := k.render(ev)
		if key == "" {
			t.Fatalf("template %q rendered an empty key", template)
		}
		if len(key) > MaxRoutingKeyBytes {
			t.Fatalf("template %q rendered %d bytes, over %d", template, len(key), MaxRoutingKeyBytes)
		}
		if got, want := strings.Count(key, "."), literalDots(k); got != want {
			t.Fatalf("template %q rendered %q with %d dots, want %d", template, key, got, want)
		}
		if utf8.ValidString(template) && !utf8.ValidString(key) {
			t.Fatalf("template %q rendered invalid UTF-8 %q", template, key)
		}
	})
}

// literalDots counts the word separators the template itself writes.
func literalDots(k *routingKey) int {
	return strings.Count(k.tmpl.Literal(), ".")
}
