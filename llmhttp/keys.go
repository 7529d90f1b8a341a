package llmhttp

import "github.com/streamll/streamll-go/events"

// Data keys the middleware writes besides the well-known ones of the events
// package (gen_ai.request.model, gen_ai.usage.input_tokens, ...). Dotted names
// are OpenTelemetry semantic convention attributes; the others are streamll's.
const (
	// KeyGenAIRequestStream (start) is true when the request asked for a
	// streamed response.
	KeyGenAIRequestStream = "gen_ai.request.stream"
	// KeyGenAIPrompt (start, CaptureContent only) is the prompt as compact
	// JSON: the request's system/instructions and messages/input/prompt
	// members, in one object.
	KeyGenAIPrompt = events.KeyGenAIPrompt
	// KeyGenAICompletion (end, CaptureContent only) is the text of the
	// completion (the first choice's, when a request asked for several).
	// Tool calls are not part of it: see KeyToolCalls.
	KeyGenAICompletion = events.KeyGenAICompletion
	// KeyGenAIUsageCacheReadInputTokens (end) counts input tokens read from
	// the provider's prompt cache; they are included in
	// gen_ai.usage.input_tokens.
	KeyGenAIUsageCacheReadInputTokens = "gen_ai.usage.cache_read.input_tokens"
	// KeyGenAIUsageCacheCreationInputTokens (end) counts input tokens written
	// to Anthropic's prompt cache; they are included in
	// gen_ai.usage.input_tokens.
	KeyGenAIUsageCacheCreationInputTokens = "gen_ai.usage.cache_creation.input_tokens"
	// KeyGenAIUsageReasoningOutputTokens (end) counts the reasoning tokens
	// of the output (OpenAI's reasoning_tokens); they are included in
	// gen_ai.usage.output_tokens.
	KeyGenAIUsageReasoningOutputTokens = "gen_ai.usage.reasoning.output_tokens"
	// KeyGenAIUsageCostCatalog (end) is the version of the price catalog a
	// "local" cost was computed with, such as "2026-12-01".
	KeyGenAIUsageCostCatalog = "gen_ai.usage.cost.catalog"
	// KeyGenAIToolName (token, field tool_call) is the name of the tool
	// the model is calling.
	KeyGenAIToolName = "gen_ai.tool.name"
	// KeyGenAIToolCallID (token, field tool_call) is the provider's id of
	// the tool call, the one a tool result refers back to (OpenAI's
	// tool_calls[].id and call_id, Anthropic's tool_use id). Absent when the
	// provider gives none (Ollama).
	KeyGenAIToolCallID = "gen_ai.tool.call.id"
	// KeyToolCalls (end, error) lists the tool calls of the response, in
	// the order they began: one object each with "id" and "name" (when
	// known), "arguments_chars" (the length of the arguments' JSON text),
	// and "arguments" (that text, CaptureContent only, cut at
	// MaxContentBytes).
	KeyToolCalls = "tool_calls"
	// KeyHTTPResponseHeaderPrefix starts the keys (end, error) that record
	// the provider's rate-limit and retry headers, as OpenTelemetry names
	// them: http.response.header.retry-after,
	// http.response.header.x-ratelimit-remaining-tokens,
	// http.response.header.anthropic-ratelimit-requests-reset, ... The
	// header name is in lower case; the value is its first value, a string.
	KeyHTTPResponseHeaderPrefix = "http.response.header."
	// KeyHTTPResendCount (start) is the SDK's retry number for this attempt,
	// from the X-Stainless-Retry-Count header that openai-go and
	// anthropic-sdk-go send: 0 for the first attempt, 1 for the first
	// retry. Absent when the client sends no such header.
	KeyHTTPResendCount = "http.request.resend_count"
	// KeyServerAddress (start) is the host the request went to.
	KeyServerAddress = "server.address"
	// KeyHTTPStatusCode (end, error) is the HTTP status of the response.
	KeyHTTPStatusCode = "http.response.status_code"
	// KeyProviderErrorType (error) classifies the provider's error, by the
	// most specific field the error body has: its code when that is a word
	// (OpenAI's "rate_limit_exceeded", "insufficient_quota",
	// "context_length_exceeded"), else its type ("rate_limit_error",
	// "overloaded_error", vLLM's "NotFoundError"), else a numeric code, else
	// the HTTP status code as text.
	KeyProviderErrorType = "error.type"
	// KeyTimeToFirstToken (end) is the time from the request to the first
	// streamed text delta, in seconds. Absent when no text arrived.
	KeyTimeToFirstToken = "time_to_first_token_seconds"
	// KeyTokenChars (token) is the length of the delta in characters
	// (runes); it replaces the text when CaptureContent is off.
	KeyTokenChars = "token_chars"
	// KeyChoiceIndex (token) is the choice a delta belongs to, set only for
	// choices after the first when a request asks for several (n > 1).
	KeyChoiceIndex = "choice_index"
	// KeyStreamIncomplete (error) is true when a streamed response was cut,
	// failed to read, or was closed before the provider's final event.
	KeyStreamIncomplete = "stream_incomplete"
	// KeyParseError (start, end, error) says what the middleware could not
	// read: the first malformed event, a body too large to inspect. The
	// caller's bytes are unaffected; only the event's data is incomplete.
	KeyParseError = "parse_error"
	// KeyContentTruncated (start, token, end) is true when captured text was
	// cut at Config.MaxContentBytes.
	KeyContentTruncated = events.KeyContentTruncated
)

// Values of gen_ai.usage.cost.source.
const (
	// CostSourceProvider: the response carried the provider's own cost
	// figure (OpenRouter's usage.cost, LiteLLM's x-litellm-response-cost
	// header), which is preferred.
	CostSourceProvider = "provider"
	// CostSourceLocal: priced from Config.Prices (the embedded catalog by
	// default); gen_ai.usage.cost.catalog names its version.
	CostSourceLocal = "local"
	// CostSourceUnpriced: the model has no price in the catalog, so
	// gen_ai.usage.cost is absent rather than 0.
	CostSourceUnpriced = "unpriced"
)

// Values of the token events' field.
const (
	// FieldCompletion is the field of the answer's text deltas.
	FieldCompletion = "completion"
	// FieldReasoning is the field of reasoning deltas: Anthropic's thinking,
	// the Responses API's reasoning text, reasoning_content of
	// OpenAI-compatible servers such as vLLM and DeepSeek.
	FieldReasoning = "reasoning"
	// FieldRefusal is the field of refusal deltas (OpenAI).
	FieldRefusal = "refusal"
	// FieldToolCall is the field of the deltas of a tool call's arguments:
	// OpenAI's tool_calls[].function.arguments, the Responses API's
	// function_call_arguments, Anthropic's input_json_delta, Ollama's
	// tool_calls. Their token events also carry gen_ai.tool.name and
	// gen_ai.tool.call.id.
	FieldToolCall = "tool_call"
)

// Values of gen_ai.system.
const (
	// SystemOpenAI is api.openai.com.
	SystemOpenAI = "openai"
	// SystemAzureOpenAI is an Azure OpenAI resource (*.openai.azure.com).
	SystemAzureOpenAI = "azure.ai.openai"
	// SystemAnthropic is the Anthropic Messages API, on any host.
	SystemAnthropic = "anthropic"
	// SystemOllama is Ollama's native API (/api/chat, /api/generate).
	SystemOllama = "ollama"
	// SystemOpenAICompatible is any other server speaking OpenAI's API:
	// vLLM, Ollama, LiteLLM, llama.cpp, OpenRouter, ...
	SystemOpenAICompatible = "openai_compatible"
)
