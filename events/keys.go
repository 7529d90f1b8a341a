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
)
