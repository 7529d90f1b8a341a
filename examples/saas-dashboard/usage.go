package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
)

// usage is what the platform bills and shows one customer.
type usage struct {
	// Operations counts executions by operation ("forward", "llm_call").
	Operations map[string]int
	// TokenEvents counts streamed token events.
	TokenEvents int
	// InputTokens and OutputTokens sum the LLM's reported usage
	// (gen_ai.usage.input_tokens and gen_ai.usage.output_tokens).
	InputTokens  int
	OutputTokens int
	// Tokens sums data['tokens'] over every event, as the seed's dashboard
	// does (event['data'].get('tokens', 0)).
	Tokens int
	// Cost sums gen_ai.usage.cost, in US dollars.
	Cost float64
	// Errors counts executions that ended with an error.
	Errors int
}

// usageByCustomer maps customer_id to its usage.
type usageByCustomer map[string]*usage

// of returns the usage of customer, creating it on first use.
func (u usageByCustomer) of(customer string) *usage {
	c := u[customer]
	if c == nil {
		c = &usage{Operations: map[string]int{}}
		u[customer] = c
	}
	return c
}

// writeTable prints one row per customer, sorted by customer_id. The rows start
// with the customer id, so two tables can be compared line by line.
func (u usageByCustomer) writeTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CUSTOMER\tOPERATIONS\tTOKEN EVENTS\tINPUT TOKENS\tOUTPUT TOKENS\tTOKENS\tCOST (USD)\tERRORS")
	for _, id := range slices.Sorted(maps.Keys(u)) {
		c := u[id]
		ops := make([]string, 0, len(c.Operations))
		for _, op := range slices.Sorted(maps.Keys(c.Operations)) {
			ops = append(ops, fmt.Sprintf("%s=%d", op, c.Operations[op]))
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%.6f\t%d\n", id, strings.Join(ops, " "),
			c.TokenEvents, c.InputTokens, c.OutputTokens, c.Tokens, c.Cost, c.Errors)
	}
	return tw.Flush()
}
