package keytemplate

import (
	"strings"
	"testing"
)

// every is each field a placeholder can read.
const every = EventType | Operation | ModuleName | MethodName | ExecutionID | Tag

func TestParse(t *testing.T) {
	tests := []struct {
		name, raw    string
		fixed        bool
		literal      string
		placeholders int
	}{
		{"empty", "", true, "", 0},
		{"fixed", "streamll.events", true, "streamll.events", 0},
		{"escaped braces", "{{x}}:y", true, "{x}:y", 0},
		{"placeholder only", "{operation}", false, "", 1},
		{"every field", "{event_type}.{operation}.{module_name}.{method_name}.{execution_id}.{tag:team}", false, ".....", 6},
		{"field twice", "{operation}-{operation}", false, "-", 2},
		{"braces around a placeholder", "events:{{{tag:customer_id}}}", false, "events:{}", 1},
		{"tag name with spaces and colons", "{tag:risk level:x}", false, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := Parse(tt.raw, every)
			if err != nil {
				t.Fatal(err)
			}
			key, fixed := k.Fixed()
			if fixed != tt.fixed {
				t.Errorf("Fixed() = %q, %v; want fixed %v", key, fixed, tt.fixed)
			}
			if fixed && key != tt.literal {
				t.Errorf("Fixed() = %q, want %q", key, tt.literal)
			}
			if got := k.Literal(); got != tt.literal {
				t.Errorf("Literal() = %q, want %q", got, tt.literal)
			}
			if got := k.Placeholders(); got != tt.placeholders {
				t.Errorf("Placeholders() = %d, want %d", got, tt.placeholders)
			}
			if got := k.String(); got != tt.raw {
				t.Errorf("String() = %q, want %q", got, tt.raw)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, raw string
		allowed   Fields
		wantErr   string
	}{
		{"unknown placeholder", "a.{customer}", every, "unknown placeholder {customer}"},
		{"empty placeholder", "a.{}", every, "empty placeholder"},
		{"tag without a name", "a.{tag:}", every, "names no tag"},
		{"unterminated", "a.{operation", every, "unterminated placeholder at offset 2"},
		{"lone closing brace", "a}", every, "unmatched '}' at offset 1"},
		{"closing brace after a placeholder", "{operation}}", every, "unmatched '}' at offset 11"},
		{"field not allowed", "a.{execution_id}", every &^ ExecutionID, "unknown placeholder {execution_id}"},
		{"tag not allowed", "a.{tag:team}", EventType, "unknown placeholder {tag:team}"},
		{"message lists the allowed fields", "{x}", Operation | Tag, "(known: {operation} {tag:NAME})"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.raw, tt.allowed)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Parse(%q) = %v, want an error containing %q", tt.raw, err, tt.wantErr)
			}
		})
	}
}

func TestSkeleton(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"", ""},
		{"streamll.events", "streamll.events"},
		{"streamll.{event_type}", "streamll.*"},
		{"ai.{module_name}.{tag:customer_id}x", "ai.*.*x"},
		{"{{a}}.{operation}", "{a}.*"},
	}
	for _, tt := range tests {
		k, err := Parse(tt.raw, every)
		if err != nil {
			t.Fatal(err)
		}
		if got := k.Skeleton("*"); got != tt.want {
			t.Errorf("Parse(%q).Skeleton(\"*\") = %q, want %q", tt.raw, got, tt.want)
		}
	}
}
