package llmhttp

import (
	"cmp"

	"github.com/streamll/streamll-go/events"
)

// providerCurrency is the currency of the providers' own cost figures:
// OpenRouter's credits and LiteLLM's cost are US dollars.
const providerCurrency = "USD"

// costSource values, boxed once.
var (
	costProviderValue any = CostSourceProvider
	costLocalValue    any = CostSourceLocal
	costUnpricedValue any = CostSourceUnpriced
)

// addCost adds gen_ai.usage.cost and its currency and source to an end
// event's data: the provider's own figure when the response carried one,
// else the price of the response's model (the request's when the response
// names none) at the call's start, times its usage u.
func (c *call) addCost(d map[string]any, u usage) {
	if u.costKnown {
		d[events.KeyGenAIUsageCost] = u.cost
		d[events.KeyGenAIUsageCostCurrency] = providerCurrency
		d[events.KeyGenAIUsageCostSource] = costProviderValue
		return
	}
	p, ok := c.in.prices.Lookup(cmp.Or(c.model, c.reqModel), c.started)
	if !ok {
		d[events.KeyGenAIUsageCostSource] = costUnpricedValue
		return
	}
	d[events.KeyGenAIUsageCost] = p.Cost(Usage{
		Input: max(u.input, 0), Output: max(u.output, 0),
		CacheRead: u.cacheRead, CacheWrite: u.cacheCreation, Reasoning: u.reasoning,
	})
	d[events.KeyGenAIUsageCostCurrency] = p.Currency
	d[events.KeyGenAIUsageCostSource] = costLocalValue
	d[KeyGenAIUsageCostCatalog] = c.in.prices.Version()
}
