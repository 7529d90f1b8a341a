package events_test

import (
	"fmt"
	"math"
	"os"
	"time"

	"github.com/streamll/streamll-go/events"
)

func ExampleAppendJSON() {
	ev := events.Event{
		EventID:     "V1StGXR8Z5jd",
		ExecutionID: "k3Jd9aQ01LmZ",
		ParentID:    "Xa81LmQ0p2Rt",
		Timestamp:   time.Date(2026, 11, 26, 16, 31, 42, 156123000, time.UTC),
		ModuleName:  "ChatBot",
		MethodName:  "forward",
		EventType:   events.TypeToken,
		Operation:   "llm_call",
		Data: map[string]any{
			events.KeyToken:      "The answer is",
			events.KeyTokenIndex: 0,
			events.KeyField:      "answer",
			"score":              math.NaN(), // JSON cannot carry NaN
		},
		Tags: map[string]string{"service": "risk_engine", "customer_id": "c-42"},
	}
	var buf []byte // reuse it for the next event
	buf = events.AppendJSON(buf[:0], &ev)
	os.Stdout.Write(append(buf, '\n'))
	// Output:
	// {"event_id":"V1StGXR8Z5jd","execution_id":"k3Jd9aQ01LmZ","parent_id":"Xa81LmQ0p2Rt","timestamp":"2026-11-26T16:31:42.156123Z","module_name":"ChatBot","method_name":"forward","event_type":"token","operation":"llm_call","data":{"field":"answer","score":"!unsupported:NaN","token":"The answer is","token_index":0},"tags":{"customer_id":"c-42","service":"risk_engine"}}
}

func ExampleUnmarshal() {
	// A line written by the Python streamll: str(datetime) timestamp, None operation.
	line := `{"event_id": "abc123def456", "execution_id": "k3Jd9aQ01LmZ", "timestamp": "2025-09-17 15:22:32.123456+00:00", "module_name": "manual", "method_name": "forward", "event_type": "end", "operation": null, "data": {"duration_seconds": 1.5}, "tags": {}}`
	ev, err := events.Unmarshal([]byte(line))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ev.EventType, ev.Timestamp.Format(time.RFC3339Nano), ev.Operation == "", ev.Data[events.KeyDurationSeconds])
	// Output:
	// end 2025-09-17T15:22:32.123456Z true 1.5
}
