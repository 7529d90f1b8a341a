// Custom-sink: a sink of your own on the bus. A support assistant's answers
// stream, as events, to a webhook: the sink in webhook.go, written step by
// step in docs/writing-a-sink.md and checked by the conformance suite in
// main_test.go. The receiver keeps each event once and prints it.
//
// One program, two subcommands. Start the receiver, then the producer in
// another terminal:
//
//	go run ./examples/custom-sink receiver                # listens on 127.0.0.1:8089
//	go run ./examples/custom-sink producer -questions 3   # posts to WEBHOOK_URL
//
// WEBHOOK_URL defaults to http://127.0.0.1:8089/events.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

// Defaults of both subcommands.
const (
	defaultListen = "127.0.0.1:8089"
	defaultURL    = "http://" + defaultListen + "/events"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("custom-sink: ")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := command(ctx, os.Args[1:], os.Getenv, os.Stdout)
	stop()
	if err != nil {
		log.Fatal(err)
	}
}

// command runs the subcommand named by args[0] with the rest of args as its
// flags; WEBHOOK_URL (read with getenv) is the producer's default target.
func command(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: custom-sink receiver|producer [flags] (-h for the flags)")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	switch args[0] {
	case "receiver":
		listen := fs.String("listen", defaultListen, "address to listen on")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return runReceiver(ctx, *listen, stdout)
	case "producer":
		target := defaultURL
		if v := getenv("WEBHOOK_URL"); v != "" {
			target = v
		}
		url := fs.String("url", target, "the webhook to post to (default: $WEBHOOK_URL, else "+defaultURL+")")
		questions := fs.Int("questions", 3, "questions the assistant answers")
		delay := fs.Duration("token-delay", 20*time.Millisecond, "pause between streamed tokens")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return runProducer(ctx, *url, *questions, *delay, stdout)
	}
	return fmt.Errorf("unknown subcommand %q: want receiver or producer", args[0])
}

// runProducer answers questions with a support assistant traced to the
// webhook, and says how many events the webhook took.
func runProducer(ctx context.Context, url string, questions int, delay time.Duration, out io.Writer) (err error) {
	hook, err := NewWebhook(WebhookConfig{URL: url})
	if err != nil {
		return err
	}
	b, err := bus.Use(hook)
	if err != nil {
		return err
	}
	defer func() {
		err = errors.Join(err, b.Shutdown()) // a lost event fails the run
		h := b.Health()[0]
		fmt.Fprintf(out, "delivered %d events to %s, dropped %d\n", h.Delivered, h.Name, h.DroppedTotal())
	}()

	assistant := SupportAssistant{TokenDelay: delay}
	answer := bus.Instrument2(nil, bus.Op{Module: "SupportAssistant", Method: "answer", Operation: "answer",
		Tags: map[string]string{"service": "support"}}, assistant.Answer)
	for i := range questions {
		customer, question := faq[i%len(faq)].customer, faq[i%len(faq)].question
		if _, err := answer(ctx, customer, question); err != nil {
			return err
		}
	}
	return nil
}

var faq = []struct{ customer, question string }{
	{"c-17", "How do I reset my password?"},
	{"c-42", "Can I export my data?"},
	{"c-08", "Which plans include the API?"},
}

// SupportAssistant answers customers' questions from canned replies,
// streaming each answer token by token.
type SupportAssistant struct{ TokenDelay time.Duration }

var replies = map[string]string{
	"How do I reset my password?":  "Open Settings, choose Security, then Reset password.",
	"Can I export my data?":        "Yes: Settings, Data, Export gives you a JSON archive.",
	"Which plans include the API?": "The Team and Enterprise plans include the API.",
}

// Answer is instrumented by the caller; it streams into the execution its
// context carries.
func (a SupportAssistant) Answer(ctx context.Context, customer, question string) (string, error) {
	reply, ok := replies[question]
	bus.Emit(ctx, "faq_matched", map[string]any{"customer": customer, "matched": ok})
	if !ok {
		return "", fmt.Errorf("no answer for %q", question)
	}
	for i, word := range strings.SplitAfter(reply, " ") {
		if i > 0 {
			select {
			case <-ctx.Done():
				return "", ctx.Err()
			case <-time.After(a.TokenDelay): // the simulated LLM thinking
			}
		}
		bus.Token(ctx, word)
	}
	return reply, nil
}

// runReceiver serves a Receiver until ctx ends, printing each new event.
func runReceiver(ctx context.Context, listen string, out io.Writer) error {
	rcv := NewReceiver()
	rcv.OnEvent = func(ev events.Event) {
		fmt.Fprintln(out, strings.TrimSpace(fmt.Sprintf("%-11s %-7s %s %s", ev.EventType, ev.Operation, ev.ExecutionID, describe(ev))))
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/events", rcv)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(out, "receiver: listening on http://%s/events\n", ln.Addr())

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdown)
	fmt.Fprintf(out, "receiver: kept %d events (%d copies dropped)\n", len(rcv.Events()), rcv.Copies())
	return err
}

// describe shows what an event carries that a reader wants.
func describe(ev events.Event) string {
	switch ev.EventType {
	case events.TypeToken:
		return fmt.Sprintf("%q", ev.Data[events.KeyToken])
	case events.TypeError:
		return fmt.Sprint(ev.Data[events.KeyErrorMessage])
	case "faq_matched":
		return fmt.Sprintf("customer %v", ev.Data["customer"])
	}
	return ""
}
