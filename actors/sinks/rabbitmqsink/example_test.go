package rabbitmqsink_test

import (
	"fmt"
	"os"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/rabbitmqsink"
	"github.com/streamll/streamll-go/actors/supervisor"
)

// The seed's compliance sink: every AI decision of the lending department
// published, persistent and confirmed, to a durable topic exchange that the
// audit consumer binds with "loan.#".
func Example() {
	sink, err := rabbitmqsink.New(rabbitmqsink.Config{
		URL:        os.Getenv("RABBITMQ_URL"),
		Exchange:   "financial_ai_audit",
		RoutingKey: "loan.{operation}.{event_type}",
		Options:    sinks.Options{Retry: supervisor.Retry{MaxRetries: 5}}, // the seed's max_retries=5
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sink.Name())
	// Output: rabbitmq:financial_ai_audit
}

// A production sink on a cluster: RABBITMQ_CLUSTER_URL lists the nodes,
// comma-separated, and the sink fails over between them.
func Example_cluster() {
	sink, err := rabbitmqsink.New(rabbitmqsink.Config{
		URL:        "amqp://app:secret@rabbit-1:5672/,amqp://app:secret@rabbit-2:5672/",
		Exchange:   "production_ai",
		RoutingKey: "ai.{module_name}.{event_type}",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sink.Name())
	// Output: rabbitmq:production_ai
}

// The layout of the last Python streamll: the default exchange, a
// non-durable queue "streamll_events", routing key = queue name. The sink
// declares the queue itself.
func Example_pythonQueue() {
	sink, err := rabbitmqsink.New(rabbitmqsink.Config{
		Exchange:  rabbitmqsink.AMQPDefaultExchange,
		Queue:     &rabbitmqsink.QueueConfig{Name: "streamll_events"},
		Transient: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sink.Name())
	// Output: rabbitmq:amq.default
}

// A mistyped placeholder is caught by New, never at publish time, and the
// password stays out of the error.
func Example_invalidConfig() {
	_, err := rabbitmqsink.New(rabbitmqsink.Config{
		URL:        "amqp://audit:hunter2@localhost:5672/",
		RoutingKey: "loan.{opration}",
	})
	fmt.Println(err)
	// Output: sinks: invalid configuration: rabbitmqsink: RoutingKey "loan.{opration}": unknown placeholder {opration} (known: {event_type} {operation} {module_name} {method_name} {execution_id} {tag:NAME})
}
