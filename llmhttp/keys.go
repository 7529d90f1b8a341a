package llmhttp

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
	KeyGenAIPrompt = "gen_ai.prompt"
	// KeyGenAICompletion (end, CaptureContent only) is the text of the
	// completion (the first choice's, when a request asked for several).
	KeyGenAICompletion = "gen_ai.completion"
	// KeyGenAIUsageCacheReadInputTokens (end) counts input tokens read from
	// the provider's prompt cache; they are included in
	// gen_ai.usage.input_tokens.
	KeyGenAIUsageCacheReadInputTokens = "gen_ai.usage.cache_read.input_tokens"
	// KeyGenAIUsageCacheCreationInputTokens (end) counts input tokens written
	// to Anthropic's prompt cache; they are included in
	// gen_ai.usage.input_tokens.
	KeyGenAIUsageCacheCreationInputTokens = "gen_ai.usage.cache_creation.input_tokens"
	// KeyHTTPResendCount (start) is the SDK's retry number for this attempt,
	// from the X-Stainless-Retry-Count header that openai-go and
	// anthropic-sdk-go send: 0 for the first attempt, 1 for the first
	// retry. Absent when the client sends no such header.
	KeyHTTPResendCount = "http.request.resend_count"
	// KeyServerAddress (start) is the host the request went to.
	KeyServerAddress = "server.address"
	// KeyHTTPStatusCode (end, error) is the HTTP status of the response.
	KeyHTTPStatusCode = "http.response.status_code"
	// KeyProviderErrorType (error) is the provider's error type, such as
	// "rate_limit_error" or "overloaded_error", or the HTTP status code as
	// text when the body names none.
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
	KeyContentTruncated = "content_truncated"
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
)

// Values of gen_ai.system.
const (
	// SystemOpenAI is api.openai.com.
	SystemOpenAI = "openai"
	// SystemAzureOpenAI is an Azure OpenAI resource (*.openai.azure.com).
	SystemAzureOpenAI = "azure.ai.openai"
	// SystemAnthropic is the Anthropic Messages API, on any host.
	SystemAnthropic = "anthropic"
	// SystemOpenAICompatible is any other server speaking OpenAI's API:
	// vLLM, Ollama, LiteLLM, llama.cpp, OpenRouter, ...
	SystemOpenAICompatible = "openai_compatible"
)
