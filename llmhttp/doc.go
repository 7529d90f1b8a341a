// Package llmhttp instruments LLM calls at the HTTP layer, so that one piece
// of code covers every Go client: openai-go and anthropic-sdk-go through
// their option.WithMiddleware ([Middleware]), and sashabaranov/go-openai,
// langchaingo or plain net/http through an http.Client's Transport
// ([Transport]). It talks to OpenAI, Anthropic, Azure OpenAI, Ollama (its
// native API and its OpenAI-compatible one) and any OpenAI-compatible server
// (vLLM, LiteLLM, llama.cpp, OpenRouter, ...).
//
// # What is recognised
//
// A POST whose path ends in /chat/completions, /completions, /responses,
// /messages, /api/chat or /api/generate, and whose JSON body has that API's
// shape (messages, prompt, input, model), is an LLM call: OpenAI Chat
// Completions, legacy Completions, the Responses API, Anthropic Messages,
// and Ollama's native chat and generate, streamed or not. Everything else
// (GET /v1/models, embeddings, a non-JSON body, a service that happens to
// have a /messages endpoint, an Ollama request that only loads a model)
// passes through untouched and emits nothing, as does every request when no
// bus would record it (no Config.Bus, no execution in the request's context,
// no default bus).
//
// # Events
//
// Each call is one execution with operation "llm_call", module_name
// Config.Module ("llm") and method_name the API ("chat_completions",
// "completions", "responses", "messages", "ollama_chat", "ollama_generate").
// It nests in the execution the request's context carries, so an
// instrumented function that calls an LLM shows as one tree (parent_id),
// with its tags. Each attempt an SDK makes is an execution of its own.
//
//   - start: gen_ai.operation.name ("chat", or "text_completion"),
//     gen_ai.system ("openai", "anthropic", "azure.ai.openai", "ollama",
//     "openai_compatible"), gen_ai.request.model, gen_ai.request.stream,
//     gen_ai.request.max_tokens and gen_ai.request.temperature when set,
//     server.address, and http.request.resend_count from the SDK's
//     X-Stainless-Retry-Count header (0 on the first attempt).
//   - token: one per delta of a streamed response, emitted as the caller's
//     reads bring it in, not at the end: token_index, field ("completion",
//     "reasoning", "refusal" or "tool_call"), and token_chars, or the text
//     itself in token when content capture is on. A tool_call token is a
//     piece of a tool call's arguments (OpenAI's tool_calls deltas, the
//     Responses API's function_call_arguments.delta, Anthropic's
//     input_json_delta, Ollama's tool_calls) and names the tool
//     (gen_ai.tool.name) and the call (gen_ai.tool.call.id).
//   - end: duration_seconds, http.response.status_code, gen_ai.response.model,
//     gen_ai.response.id, gen_ai.response.finish_reasons, the usage
//     (gen_ai.usage.input_tokens and output_tokens, and the cache_read,
//     cache_creation and reasoning counts) when the provider reports it,
//     time_to_first_token_seconds for streams (to the first text or tool
//     call), tool_calls (each call's id, name, and the length of its
//     arguments), and the provider's rate-limit and retry headers
//     (http.response.header.retry-after, ...x-ratelimit-remaining-tokens,
//     ...anthropic-ratelimit-requests-remaining, ...).
//   - error, instead of end: for an HTTP status of 400 or more, an error event
//     in the stream, or a failed Responses API response, error_type
//     "*llmhttp.APIError" with the provider's message, error.type and the
//     status; for a stream cut, closed or ended before the provider's final
//     event, "*llmhttp.IncompleteError" and stream_incomplete; for a request
//     that got no response, the transport's error.
//
// error.type is the provider's most specific word for the error: the error
// body's code when it is a word (OpenAI's "rate_limit_exceeded",
// "insufficient_quota", "context_length_exceeded"), else its type
// (Anthropic's "rate_limit_error", "overloaded_error"; vLLM's
// "NotFoundError"), else a numeric code, else the HTTP status. An error
// response's body is read ahead (up to 64 KiB) before the caller gets the
// response, and replayed to it unchanged: SDKs that retry a 429 or 529
// close that body unread, and the attempt would otherwise record nothing
// but the status.
//
// # Tokens and cost
//
// Every end (or error) event of a call whose usage is known carries tokens,
// its input plus output tokens: the key the Python streamll's consumers sum
// (event['data'].get('tokens', 0)). gen_ai.usage.input_tokens counts cached
// input too, for every provider, as OpenTelemetry asks (Anthropic's own
// input_tokens does not). OpenAI Chat Completions streams report usage only
// when the request sets stream_options.include_usage, which
// Config.IncludeUsage adds.
//
// The same events carry the call's cost: gen_ai.usage.cost (a number),
// gen_ai.usage.cost.currency and gen_ai.usage.cost.source. The provider's
// own figure wins when the response has one (OpenRouter's usage.cost,
// LiteLLM's x-litellm-response-cost header): source "provider". Otherwise
// the call is priced from Config.Prices, by default the catalog embedded in
// this package ([BuiltinCatalog]): source "local", with the catalog's version
// in gen_ai.usage.cost.catalog. A model the catalog has no price for gives
// source "unpriced" and no amount, never a 0 that would read as free.
//
// # Content is opt-in
//
// As the OpenTelemetry GenAI conventions require, prompts and completions are
// not recorded by default: token events carry the delta's length
// (token_chars) but not its text, start and end carry no messages, and
// tool_calls no arguments. Set Config.CaptureContent to record them
// (gen_ai.prompt in start, token in each token event, gen_ai.completion and
// the tool calls' arguments in end), each cut at Config.MaxContentBytes
// (4096 by default) and then marked content_truncated. To keep content from
// some sinks only, give those a capture policy (package
// actors/sinks/capture).
//
// # What the caller gets
//
// The caller reads exactly the bytes the server sent, when the server sent
// them: the middleware parses a stream (server-sent events, or Ollama's
// NDJSON) as it passes through the caller's reads, holding at most one event
// (up to 1 MiB; past that it stops parsing and says so), and keeps a bounded
// copy (8 MiB) of a response that is not streamed to read its usage at the
// end. Each event is read by a small scanner that decodes only the members
// the events need, so a streamed chunk costs a few microseconds and no
// allocation beyond its token event. The request body is read once to
// inspect it (up to 16 MiB) and replayed byte for byte (with
// Config.IncludeUsage, plus the stream_options member); GetBody keeps
// working for retries. Nothing the middleware fails to parse fails the
// caller: the event then carries what could be read, and parse_error says
// what could not.
//
// The end (or error) event goes out when the provider's final event arrives
// (data: [DONE], message_stop, response.completed, Ollama's "done": true),
// or when the body reaches EOF, fails, or is closed. A caller that neither
// reads a response to the end nor closes it leaks the connection, and its
// call never ends.
package llmhttp
