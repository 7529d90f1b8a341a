package keytemplate_test

import (
	"fmt"

	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/keytemplate"
)

func ExampleParse() {
	k, err := keytemplate.Parse("{{events}}:{tag:customer_id}:{event_type}", keytemplate.EventType|keytemplate.Tag)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(k.Render(&events.Event{EventType: events.TypeToken, Tags: map[string]string{"customer_id": "c-42"}}, nil))
	fmt.Println(k.Render(&events.Event{EventType: events.TypeEnd}, nil))

	_, err = keytemplate.Parse("events:{operation}", keytemplate.EventType|keytemplate.Tag)
	fmt.Println(err)
	// Output:
	// {events}:c-42:token
	// {events}:unknown:end
	// unknown placeholder {operation} (known: {event_type} {tag:NAME})
}
