package consume_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"

	"github.com/streamll/streamll-go/consume"
)

// The seed's dashboard backend: read new entries of the stream and add up
// each customer's tokens.
func Example() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c, err := consume.NewRedis(ctx, consume.RedisConfig{
		URL:    os.Getenv("REDIS_URL"),
		Stream: "ai_platform_events",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	tokens := map[string]float64{}
	err = c.Run(ctx, func(_ context.Context, m consume.Message) error {
		ev := m.Event
		out, _ := ev.Data["gen_ai.usage.output_tokens"].(float64)
		tokens[ev.Tags["customer_id"]] += out
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tokens)
}

// A durable audit trail: a queue declared and bound to the exchange, each
// message acknowledged only once the handler has stored it.
func ExampleNewRabbitMQ() {
	ctx := context.Background()
	c, err := consume.NewRabbitMQ(ctx, consume.RabbitMQConfig{
		URL:        os.Getenv("RABBITMQ_URL"),
		Exchange:   "financial_ai_audit",
		Queue:      "loan_audit_trail",
		BindingKey: "loan.#",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for m, err := range c.Messages(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(m.Source, m.Event.Tags["loan_id"]) // store it; it is acked when the loop goes on
	}
}
