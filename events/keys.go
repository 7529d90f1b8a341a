package events

// Well-known keys of [Event.Data]. The streamll keys match the Python streamll;
// the gen_ai keys are the OpenTelemetry GenAI semantic conventions.
const (
	// KeyToken is the text of a token event.
	KeyToken = "token"
	// KeyTokenIndex is the position of a token within its execution, from 0.
	KeyTokenIndex = "token_index"
	// KeyField is the output field a token belongs to, such as "answer".
	KeyField = "field"
	// KeyDurationSeconds is the length of an execution, on end and error events.
	KeyDurationSeconds = "duration_seconds"
	// KeyErrorType is the Go type of the error that ended an execution.
	KeyErrorType = "error_type"
	// KeyErrorMessage is the text of the error that ended an execution.
	KeyErrorMessage = "error_message"

	// KeyGenAIOperationName is gen_ai.operation.name ("chat", "text_completion", ...).
	KeyGenAIOperationName = "gen_ai.operation.name"
	// KeyGenAISystem is gen_ai.system, the provider ("openai", "anthropic", ...).
	KeyGenAISystem = "gen_ai.system"
	// KeyGenAIRequestModel is gen_ai.request.model, the model asked for.
	KeyGenAIRequestModel = "gen_ai.request.model"
	// KeyGenAIResponseModel is gen_ai.response.model, the model that answered.
	KeyGenAIResponseModel = "gen_ai.response.model"
	// KeyGenAIResponseID is gen_ai.response.id, the provider's id of the answer.
	KeyGenAIResponseID = "gen_ai.response.id"
	// KeyGenAIResponseFinishReasons is gen_ai.response.finish_reasons.
	KeyGenAIResponseFinishReasons = "gen_ai.response.finish_reasons"
	// KeyGenAIUsageInputTokens is gen_ai.usage.input_tokens.
	KeyGenAIUsageInputTokens = "gen_ai.usage.input_tokens"
	// KeyGenAIUsageOutputTokens is gen_ai.usage.output_tokens.
	KeyGenAIUsageOutputTokens = "gen_ai.usage.output_tokens"
	// KeyGenAIRequestTemperature is gen_ai.request.temperature.
	KeyGenAIRequestTemperature = "gen_ai.request.temperature"
	// KeyGenAIRequestMaxTokens is gen_ai.request.max_tokens.
	KeyGenAIRequestMaxTokens = "gen_ai.request.max_tokens"

	// KeyTokens is the total token count of an LLM call (input plus output),
	// on the end (or error) event of every call whose usage is known: the
	// key the Python streamll's consumers sum, as
	// event['data'].get('tokens', 0). Token events do not carry it.
	KeyTokens = "tokens"

	// KeyGenAIUsageCost is the cost of an LLM call, a number in the currency
	// of KeyGenAIUsageCostCurrency. Absent when the call could not be priced
	// (see KeyGenAIUsageCostSource), never 0 for "unknown".
	KeyGenAIUsageCost = "gen_ai.usage.cost"
	// KeyGenAIUsageCostCurrency is the ISO 4217 code of KeyGenAIUsageCost,
	// such as "USD".
	KeyGenAIUsageCostCurrency = "gen_ai.usage.cost.currency"
	// KeyGenAIUsageCostSource says where KeyGenAIUsageCost comes from:
	// "provider" (the response carried its own cost figure), "local" (priced
	// from a price catalog), or "unpriced" (the model has no price, and
	// KeyGenAIUsageCost is absent).
	KeyGenAIUsageCostSource = "gen_ai.usage.cost.source"

	// KeyGenAIPrompt is the prompt of an LLM call, recorded only when content
	// capture is on.
	KeyGenAIPrompt = "gen_ai.prompt"
	// KeyGenAICompletion is the text an LLM call returned, recorded only when
	// content capture is on.
	KeyGenAICompletion = "gen_ai.completion"
	// KeyContentTruncated is true on an event whose captured text was cut
	// short.
	KeyContentTruncated = "content_truncated"
)
