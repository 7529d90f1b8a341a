// Command busterminal is the smallest real use of streamll-go: a bus with the
// terminal sink and one execution. linkcheck's test builds it and reads its
// symbol table to see what such a program links.
package main

import (
	"context"
	"log"
	"os"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/terminal"
	"github.com/streamll/streamll-go/bus"
)

func main() {
	term, err := terminal.New(terminal.Config{Output: os.Stdout})
	if err != nil {
		log.Fatal(err)
	}
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{term}})
	if err != nil {
		log.Fatal(err)
	}
	_, ex := b.Start(context.Background(), bus.Op{Operation: "hello"})
	ex.End(nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.Close(ctx); err != nil {
		log.Fatal(err)
	}
}
