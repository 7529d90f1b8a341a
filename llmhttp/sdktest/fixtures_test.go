package sdktest

// Responses in each API's documented wire format (OpenAI's Chat
// Completions and Responses streaming references and function calling
// guide, Anthropic's Messages streaming reference, Ollama's docs/api.md).

var openAIToolStream = sse(
	`data: {"id":"chatcmpl-tool","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_DdmO9pD3xa9XTPNJ32zg2hcA","type":"function","function":{"name":"get_weather","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}]}`,
	`data: {"id":"chatcmpl-tool","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"location\":"}}]},"logprobs":null,"finish_reason":null}]}`,
	`data: {"id":"chatcmpl-tool","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris, France\"}"}}]},"logprobs":null,"finish_reason":null}]}`,
	`data: {"id":"chatcmpl-tool","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]}`,
	`data: {"id":"chatcmpl-tool","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[],"usage":{"prompt_tokens":80,"completion_tokens":24,"total_tokens":104}}`,
	`data: [DONE]`,
)

// openAITextStream has usage in its last chunk only when the request asked
// for it; the server below adds that chunk only then.
var openAITextChunks = []string{
	`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`,
	`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]}`,
	`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":" world"},"finish_reason":null}]}`,
	`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`,
}

const openAIUsageChunk = `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14}}`

var responsesToolStream = sse(
	"event: response.created\n"+`data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_tool","object":"response","created_at":1,"status":"in_progress","model":"gpt-4.1-2025-04-14","output":[],"usage":null}}`,
	"event: response.output_item.added\n"+`data: {"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"type":"function_call","id":"fc_1234xyz","call_id":"call_1234xyz","name":"get_weather","arguments":"","status":"in_progress"}}`,
	"event: response.function_call_arguments.delta\n"+`data: {"type":"response.function_call_arguments.delta","sequence_number":2,"item_id":"fc_1234xyz","output_index":0,"delta":"{\"location\":"}`,
	"event: response.function_call_arguments.delta\n"+`data: {"type":"response.function_call_arguments.delta","sequence_number":3,"item_id":"fc_1234xyz","output_index":0,"delta":"\"Paris, France\"}"}`,
	"event: response.function_call_arguments.done\n"+`data: {"type":"response.function_call_arguments.done","sequence_number":4,"item_id":"fc_1234xyz","output_index":0,"name":"get_weather","arguments":"{\"location\":\"Paris, France\"}"}`,
	"event: response.output_item.done\n"+`data: {"type":"response.output_item.done","sequence_number":5,"output_index":0,"item":{"type":"function_call","id":"fc_1234xyz","call_id":"call_1234xyz","name":"get_weather","arguments":"{\"location\":\"Paris, France\"}","status":"completed"}}`,
	"event: response.completed\n"+`data: {"type":"response.completed","sequence_number":6,"response":{"id":"resp_tool","object":"response","created_at":1,"status":"completed","model":"gpt-4.1-2025-04-14","output":[{"type":"function_call","id":"fc_1234xyz","call_id":"call_1234xyz","name":"get_weather","arguments":"{\"location\":\"Paris, France\"}","status":"completed"}],"usage":{"input_tokens":60,"input_tokens_details":{"cached_tokens":0},"output_tokens":18,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":78}}}`,
)

var anthropicToolStream = sse(
	"event: message_start\n"+`data: {"type":"message_start","message":{"id":"msg_tool","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2}}}`,
	"event: content_block_start\n"+`data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}`,
	"event: content_block_delta\n"+`data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}`,
	"event: content_block_delta\n"+`data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"location\":"}}`,
	"event: content_block_delta\n"+`data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":" \"Paris, France\"}"}}`,
	"event: content_block_stop\n"+`data: {"type":"content_block_stop","index":0}`,
	"event: message_delta\n"+`data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}`,
	"event: message_stop\n"+`data: {"type":"message_stop"}`,
)

const anthropicMessage = `{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001","content":[{"type":"text","text":"Hi there"}],` +
	`"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":20,"output_tokens":5,"cache_creation_input_tokens":0,"cache_read_input_tokens":10}}`

const (
	openAIRateLimit = `{"error":{"message":"Rate limit reached for gpt-4o-mini in organization org-x on requests per min (RPM): Limit 3, Used 3.","type":"requests","param":null,"code":"rate_limit_exceeded"}}`
	openAIQuota     = `{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`
	anthropicOver   = `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`
)

var ollamaChatStream = ndjson(
	`{"model":"llama3.2","created_at":"2023-08-04T08:52:19.385406455-07:00","message":{"role":"assistant","content":"The"},"done":false}`,
	`{"model":"llama3.2","created_at":"2023-08-04T08:52:19.485406455-07:00","message":{"role":"assistant","content":" sky"},"done":false}`,
	`{"model":"llama3.2","created_at":"2023-08-04T08:52:19.585406455-07:00","message":{"role":"assistant","content":" is blue."},"done":false}`,
	`{"model":"llama3.2","created_at":"2023-08-04T19:22:45.499127Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"total_duration":4883583458,"load_duration":1334875,"prompt_eval_count":26,"prompt_eval_duration":342546000,"eval_count":282,"eval_duration":4535599000}`,
)
