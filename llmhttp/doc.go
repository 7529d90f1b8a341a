// Package llmhttp instruments LLM calls at the HTTP layer, so that one piece
// of code covers every Go client: openai-go and anthropic-sdk-go through
// their option.WithMiddleware ([Middleware]), and sashabaranov/go-openai,
// langchaingo or plain net/http through an http.Client's Transport
// ([Transport]). It talks to OpenAI, Anthropic, Azure OpenAI and any
// OpenAI-compatible server (vLLM, Ollama, LiteLLM, llama.cpp, ...).
//
// # What is recognised
//
// A POST whose path ends in /chat/completions, /completions, /responses or
// /messages, and whose JSON body has that API's shape (messages, prompt,
// input, model), is an LLM call: OpenAI Chat Completions, legacy Completions,
// the Responses API, and Anthropic Messages, streamed or not. Everything
// else (GET /v1/models, embeddings, a non-JSON body, a service that happens
// to have a /messages endpoint) passes through untouched and emits nothing,
// as does every request when no bus would record it (no Config.Bus, no
// execution in the request's context, no default bus).
//
// # Events
//
// Each call is one execution with operation "llm_call", module_name
// Config.Module ("llm") and method_name the API ("chat_completions",
// "completions", "responses", "messages"). It nests in the execution the
// request's context carries, so an instrumented function that calls an LLM
// shows as one tree (parent_id), with its tags.
//
//   - start: gen_ai.operation.name ("chat", or "text_completion"),
//     gen_ai.system ("openai", "anthropic", "azure.ai.openai",
//     "openai_compatible"), gen_ai.request.model, gen_ai.request.stream,
//     gen_ai.request.max_tokens and gen_ai.request.temperature when set,
//     server.address, and http.request.resend_count from the SDK's
//     X-Stainless-Retry-Count header (0 on the first attempt).
//   - token: one per text delta of a streamed response, emitted as the
//     caller's reads bring it in, not at the end: token_index, field
//     ("completion", "reasoning" or "refusal"), and token_chars, or the text
//     itself in token when content capture is on.
//   - end: duration_seconds, http.response.status_code, gen_ai.response.model,
//     gen_ai.response.id, gen_ai.response.finish_reasons,
//     gen_ai.usage.input_tokens and gen_ai.usage.output_tokens (and the
//     cache_read / cache_creation input counts) when the provider reports them,
//     and time_to_first_token_seconds for streams.
//   - error, instead of end: for an HTTP status of 400 or more, an error event
//     in the stream, or a failed Responses API response, error_type
//     "*llmhttp.APIError" with the provider's message, error.type (the
//     provider's error type, such as "rate_limit_error") and the status; for a
//     stream cut, closed or ended before the provider's final event,
//     "*llmhttp.IncompleteError" and stream_incomplete; for a request that got
//     no response, the transport's error.
//
// OpenAI Chat Completions streams report usage only when the request sets
// stream_options.include_usage. Anthropic's input_tokens excludes cached
// input; gen_ai.usage.input_tokens includes it, as OpenTelemetry asks.
//
// # Content is opt-in
//
// As the OpenTelemetry GenAI conventions require, prompts and completions are
// not recorded by default: token events carry the delta's length
// (token_chars) but not its text, and start and end carry no messages. Set
// Config.CaptureContent to record them (gen_ai.prompt in start, token in
// each token event, gen_ai.completion in end), each cut at
// Config.MaxContentBytes (4096 by default) and then marked
// content_truncated.
//
// # What the caller gets
//
// The caller reads exactly the bytes the server sent, when the server sent
// them: the middleware parses a stream as it passes through the caller's
// reads, holding at most one event (up to 1 MiB; past that it stops parsing
// and says so), and keeps a bounded copy (8 MiB) of a response that is not
// streamed to read its usage at the end. The request body is read once to
// inspect it (up to 16 MiB) and replayed byte for byte; GetBody keeps working
// for retries. Nothing the middleware fails to parse fails the caller: the
// event then carries what could be read, and parse_error says what could not.
//
// The end (or error) event goes out when the provider's final event arrives
// (data: [DONE], message_stop, response.completed), or when the body reaches
// EOF, fails, or is closed. A caller that neither reads a response to the end
// nor closes it leaks the connection, and its call never ends.
package llmhttp
