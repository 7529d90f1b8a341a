package llmhttp_test

import "strings"

// Fixtures in each provider's documented wire format, written from the public
// API references. Streams are text/event-stream bodies; each event ends with a
// blank line, and the test servers flush after each one.

// chatStream is an OpenAI Chat Completions stream with
// stream_options.include_usage: a role chunk, three content chunks, a finish
// chunk, a usage chunk with no choices, then [DONE].
var chatStream = sse(
	`data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}`,
	`data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}],"usage":null}`,
	`data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":","},"logprobs":null,"finish_reason":null}],"usage":null}`,
	`data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":" world"},"logprobs":null,"finish_reason":null}],"usage":null}`,
	`data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}`,
	`data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":4,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0}}}`,
	`data: [DONE]`,
)

const chatRequest = `{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"max_tokens":50,"temperature":0.2,` +
	`"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Say hello"}]}`

const chatResponse = `{
  "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
  "object": "chat.completion",
  "created": 1741570283,
  "model": "gpt-4o-2024-08-06",
  "choices": [
    {
      "index": 0,
      "message": {"role": "assistant", "content": "Hello, world", "refusal": null, "annotations": []},
      "logprobs": null,
      "finish_reason": "stop"
    }
  ],
  "usage": {
    "prompt_tokens": 1117,
    "completion_tokens": 46,
    "total_tokens": 1163,
    "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
  },
  "service_tier": "default",
  "system_fingerprint": "fp_fc9f1d7035"
}
`

// completionsStream is a legacy Completions stream, as vLLM and llama.cpp
// still serve it: text in choices[].text.
var completionsStream = sse(
	`data: {"id":"cmpl-1","object":"text_completion","created":1,"model":"Qwen/Qwen2.5-1.5B","choices":[{"index":0,"text":"Hello","logprobs":null,"finish_reason":null}]}`,
	`data: {"id":"cmpl-1","object":"text_completion","created":1,"model":"Qwen/Qwen2.5-1.5B","choices":[{"index":0,"text":", world","logprobs":null,"finish_reason":"length"}]}`,
	`data: {"id":"cmpl-1","object":"text_completion","created":1,"model":"Qwen/Qwen2.5-1.5B","choices":[],"usage":{"prompt_tokens":4,"total_tokens":7,"completion_tokens":3}}`,
	`data: [DONE]`,
)

// responsesStream is an OpenAI Responses API stream.
var responsesStream = sse(
	"event: response.created\n"+`data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_67c9fdcecf","object":"response","created_at":1741290958,"status":"in_progress","model":"gpt-4.1-2025-04-14","output":[],"usage":null}}`,
	"event: response.in_progress\n"+`data: {"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_67c9fdcecf","object":"response","created_at":1741290958,"status":"in_progress","model":"gpt-4.1-2025-04-14","output":[],"usage":null}}`,
	"event: response.output_item.added\n"+`data: {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"msg_67c9fa077e","type":"message","status":"in_progress","role":"assistant","content":[]}}`,
	"event: response.content_part.added\n"+`data: {"type":"response.content_part.added","sequence_number":3,"item_id":"msg_67c9fa077e","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}`,
	"event: response.output_text.delta\n"+`data: {"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_67c9fa077e","output_index":0,"content_index":0,"delta":"Hello"}`,
	"event: response.output_text.delta\n"+`data: {"type":"response.output_text.delta","sequence_number":5,"item_id":"msg_67c9fa077e","output_index":0,"content_index":0,"delta":","}`,
	"event: response.output_text.delta\n"+`data: {"type":"response.output_text.delta","sequence_number":6,"item_id":"msg_67c9fa077e","output_index":0,"content_index":0,"delta":" world"}`,
	"event: response.output_text.done\n"+`data: {"type":"response.output_text.done","sequence_number":7,"item_id":"msg_67c9fa077e","output_index":0,"content_index":0,"text":"Hello, world"}`,
	"event: response.content_part.done\n"+`data: {"type":"response.content_part.done","sequence_number":8,"item_id":"msg_67c9fa077e","output_index":0,"content_index":0,"part":{"type":"output_text","text":"Hello, world","annotations":[]}}`,
	"event: response.output_item.done\n"+`data: {"type":"response.output_item.done","sequence_number":9,"output_index":0,"item":{"id":"msg_67c9fa077e","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello, world","annotations":[]}]}}`,
	"event: response.completed\n"+`data: {"type":"response.completed","sequence_number":10,"response":{"id":"resp_67c9fdcecf","object":"response","created_at":1741290958,"status":"completed","model":"gpt-4.1-2025-04-14","output":[{"id":"msg_67c9fa077e","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello, world","annotations":[]}]}],"usage":{"input_tokens":37,"input_tokens_details":{"cached_tokens":0},"output_tokens":3,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":40}}}`,
)

const responsesRequest = `{"model":"gpt-4.1","instructions":"Be brief.","input":"Say hello","stream":true,"max_output_tokens":64}`

const responsesResponse = `{"id":"resp_67ccd3a9da","object":"response","created_at":1741476777,"status":"completed","error":null,` +
	`"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-4.1-2025-04-14",` +
	`"output":[{"type":"message","id":"msg_67ccd3acc8","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello, world","annotations":[]}]}],` +
	`"parallel_tool_calls":true,"previous_response_id":null,"temperature":1.0,"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled",` +
	`"usage":{"input_tokens":328,"input_tokens_details":{"cached_tokens":0},"output_tokens":52,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":380},"user":null,"metadata":{}}`

// responsesFailedStream ends with response.failed.
var responsesFailedStream = sse(
	"event: response.created\n"+`data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","status":"in_progress","model":"gpt-4.1","output":[]}}`,
	"event: response.failed\n"+`data: {"type":"response.failed","sequence_number":1,"response":{"id":"resp_1","status":"failed","model":"gpt-4.1","error":{"code":"server_error","message":"The model failed to generate a response."},"output":[]}}`,
)

// responsesErrorStream carries an error event.
var responsesErrorStream = sse(
	"event: error\n" + `data: {"type":"error","code":"ERR_SOMETHING","message":"Something went wrong","param":null,"sequence_number":1}`,
)

// anthropicStream is an Anthropic Messages stream: message_start, a text
// block with a ping inside, message_delta with stop_reason and usage,
// message_stop.
var anthropicStream = sse(
	"event: message_start\n"+`data: {"type":"message_start","message":{"id":"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":10,"output_tokens":1}}}`,
	"event: content_block_start\n"+`data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`,
	"event: ping\n"+`data: {"type": "ping"}`,
	"event: content_block_delta\n"+`data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}`,
	"event: content_block_delta\n"+`data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":","}}`,
	"event: content_block_delta\n"+`data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" world"}}`,
	"event: content_block_stop\n"+`data: {"type":"content_block_stop","index":0}`,
	"event: message_delta\n"+`data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}`,
	"event: message_stop\n"+`data: {"type":"message_stop"}`,
)

const anthropicRequest = `{"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,"system":"Be brief.","messages":[{"role":"user","content":"Say hello"}]}`

const anthropicResponse = `{"id":"msg_013Zva2CMHLNnXjNJJKqJ2EF","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",` +
	`"content":[{"type":"text","text":"Hello, world"}],"stop_reason":"end_turn","stop_sequence":null,` +
	`"usage":{"input_tokens":2095,"output_tokens":503,"cache_creation_input_tokens":5,"cache_read_input_tokens":0}}`

// anthropicErrorStream fails with an error event after one delta.
var anthropicErrorStream = sse(
	"event: message_start\n"+`data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}`,
	"event: content_block_delta\n"+`data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}`,
	"event: error\n"+`data: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}`,
)

// Error bodies.
const (
	openAIRateLimit = `{"error":{"message":"Rate limit reached for gpt-4o-mini in organization org-x on requests per min (RPM): Limit 3, Used 3.","type":"requests","param":null,"code":"rate_limit_exceeded"}}`
	anthropicOver   = `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`
	vLLMBadRequest  = `{"object":"error","message":"The model 'nope' does not exist.","type":"NotFoundError","param":null,"code":404}`
	ollamaNotFound  = `{"error":"model \"llama9\" not found, try pulling it first"}`
	proxyHTML       = "<html><body><h1>502 Bad Gateway</h1></body></html>\n"
)

// chatStreamMalformed has a malformed chunk between good ones.
var chatStreamMalformed = sse(
	`data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]}`,
	`data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"content":`,
	`data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"content":" world"},"finish_reason":"stop"}]}`,
	`data: [DONE]`,
)

// chatStreamNoDone is a compatible server that omits [DONE] after the finish.
var chatStreamNoDone = sse(
	`data: {"id":"c","model":"llama3.2","choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]}`,
	`data: {"id":"c","model":"llama3.2","choices":[{"index":0,"delta":{"content":" world"},"finish_reason":"stop"}]}`,
)

// chatStreamTruncated ends cleanly, but before any finish or [DONE].
var chatStreamTruncated = sse(
	`data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]}`,
)

// sse joins events into a stream body.
func sse(events ...string) string {
	return strings.Join(events, "\n\n") + "\n\n"
}

// splitEvents cuts a stream body after each event's blank line.
func splitEvents(body string) []string {
	var out []string
	for body != "" {
		i := strings.Index(body, "\n\n")
		if i < 0 {
			return append(out, body)
		}
		out = append(out, body[:i+2])
		body = body[i+2:]
	}
	return out
}
