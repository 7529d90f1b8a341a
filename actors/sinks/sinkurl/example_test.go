package sinkurl_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/sinkurl"
)

// nameOf is the name a sink has on a bus: the name= setting, else the
// driver's own.
func nameOf(s sinks.Sink) string {
	if c, ok := s.(sinks.Configured); ok && c.HostOptions().Name != "" {
		return c.HostOptions().Name
	}
	return s.(sinks.Namer).Name()
}

// show prints the name of each sink and closes it, as a bus would in its
// Close once it owned them.
func show(list []sinks.Sink) {
	for _, s := range list {
		fmt.Println(nameOf(s))
		_ = s.Close(context.Background())
	}
}

// The seed's routing example as one string: every event to a Redis dashboard
// stream and a RabbitMQ audit exchange, errors alone to an alerts exchange.
func ExampleParse() {
	list, err := sinkurl.Parse("terminal?tokens=false," +
		"redis://127.0.0.1:6379/0?stream=ai_monitoring&maxlen=100000," +
		"amqp://guest:guest@127.0.0.1:5672/?exchange=ai_audit&routing_key=audit.{module_name}.{event_type}," +
		"amqp://guest:guest@127.0.0.1:5672/?exchange=ai_alerts&routing_key=alert.{operation}.error&types=error&name=alerts")
	if err != nil {
		fmt.Println(err)
		return
	}
	show(list) // a program would hand list to bus.New
	// Output:
	// terminal
	// redis:ai_monitoring
	// rabbitmq:ai_audit
	// alerts
}

// Every problem is reported at once, each naming its item; passwords are
// masked.
func ExampleParse_errors() {
	_, err := sinkurl.Parse("terminal?colour=never,redis://app:s3cr3t@127.0.0.1:6379/0?strem=ai_events&buffer=lots")
	fmt.Println(errors.Is(err, sinks.ErrInvalidConfig))
	fmt.Println(err)
	// Output:
	// true
	// sinkurl: item 1 (terminal?colour=never): unknown parameter "colour"
	// sinkurl: item 2 (redis://app:xxxxx@127.0.0.1:6379/0?strem=ai_events&buffer=lots): parameter buffer="lots" is not a whole number
	// sinkurl: item 2 (redis://app:xxxxx@127.0.0.1:6379/0?strem=ai_events&buffer=lots): unknown parameter "strem" (neither a sinkurl parameter nor a go-redis client option)
}

// A service reads its sinks from STREAMLL_SINKS and falls back to the
// terminal when the variable is unset, as on a developer's machine.
func ExampleFromEnv() {
	list, err := sinkurl.FromEnv("STREAMLL_SINKURL_EXAMPLE_UNSET", "terminal")
	if err != nil {
		fmt.Println(err)
		return
	}
	show(list)
	// Output:
	// terminal
}
