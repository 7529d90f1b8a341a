package llmhttp_test

// Tool calls, streamed and whole, in each provider's documented format: the
// Chat Completions streaming chunks with delta.tool_calls (OpenAI's function
// calling guide, "Streaming"), the Responses API's output_item.added /
// function_call_arguments.delta events, Anthropic's content_block_start
// (tool_use) and input_json_delta events, and Ollama's message.tool_calls.

const chatToolRequest = `{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"Weather in Paris?"}],` +
	`"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"location":{"type":"string"}}}}}]}`

var chatToolStream = sse(
	`data: {"id":"chatcmpl-tool","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_DdmO9pD3xa9XTPNJ32zg2hcA","type":"function","function":{"name":"get_weather","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}`,
	`data: {"id":"chatcmpl-tool","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\""}}]},"logprobs":null,"finish_reason":null}],"usage":null}`,
	`data: {"id":"chatcmpl-tool","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"location"}}]},"logprobs":null,"finish_reason":null}],"usage":null}`,
	`data: {"id":"chatcmpl-tool","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\":\"Paris, France\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}`,
	`data: {"id":"chatcmpl-tool","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"get_time","arguments":"{}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}`,
	`data: {"id":"chatcmpl-tool","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}`,
	`data: {"id":"chatcmpl-tool","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[],"usage":{"prompt_tokens":80,"completion_tokens":24,"total_tokens":104}}`,
	`data: [DONE]`,
)

const chatToolResponse = `{"id":"chatcmpl-tool","object":"chat.completion","created":1,"model":"gpt-4o-2024-08-06",` +
	`"choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_DdmO9pD3xa9XTPNJ32zg2hcA","type":"function",` +
	`"function":{"name":"get_weather","arguments":"{\"location\":\"Paris, France\"}"}}],"refusal":null},"logprobs":null,"finish_reason":"tool_calls"}],` +
	`"usage":{"prompt_tokens":80,"completion_tokens":24,"total_tokens":104,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}`

const responsesToolRequest = `{"model":"gpt-4.1","stream":true,"input":"Weather in Paris?","tools":[{"type":"function","name":"get_weather","parameters":{}}]}`

var responsesToolStream = sse(
	"event: response.created\n"+`data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_tool","object":"response","status":"in_progress","model":"gpt-4.1-2025-04-14","output":[],"usage":null}}`,
	"event: response.output_item.added\n"+`data: {"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"type":"function_call","id":"fc_1234xyz","call_id":"call_1234xyz","name":"get_weather","arguments":""}}`,
	"event: response.function_call_arguments.delta\n"+`data: {"type":"response.function_call_arguments.delta","sequence_number":2,"item_id":"fc_1234xyz","output_index":0,"delta":"{\"location\":"}`,
	"event: response.function_call_arguments.delta\n"+`data: {"type":"response.function_call_arguments.delta","sequence_number":3,"item_id":"fc_1234xyz","output_index":0,"delta":"\"Paris, France\"}"}`,
	"event: response.function_call_arguments.done\n"+`data: {"type":"response.function_call_arguments.done","sequence_number":4,"item_id":"fc_1234xyz","output_index":0,"arguments":"{\"location\":\"Paris, France\"}"}`,
	"event: response.output_item.done\n"+`data: {"type":"response.output_item.done","sequence_number":5,"output_index":0,"item":{"type":"function_call","id":"fc_1234xyz","call_id":"call_1234xyz","name":"get_weather","arguments":"{\"location\":\"Paris, France\"}","status":"completed"}}`,
	"event: response.completed\n"+`data: {"type":"response.completed","sequence_number":6,"response":{"id":"resp_tool","object":"response","status":"completed","model":"gpt-4.1-2025-04-14","output":[{"type":"function_call","id":"fc_1234xyz","call_id":"call_1234xyz","name":"get_weather","arguments":"{\"location\":\"Paris, France\"}","status":"completed"}],"usage":{"input_tokens":60,"input_tokens_details":{"cached_tokens":0},"output_tokens":18,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":78}}}`,
)

const responsesToolResponse = `{"id":"resp_tool","object":"response","status":"completed","error":null,"model":"gpt-4.1-2025-04-14",` +
	`"output":[{"type":"function_call","id":"fc_1234xyz","call_id":"call_1234xyz","name":"get_weather","arguments":"{\"location\":\"Paris, France\"}","status":"completed"}],` +
	`"usage":{"input_tokens":60,"output_tokens":18,"total_tokens":78}}`

const anthropicToolRequest = `{"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,"messages":[{"role":"user","content":"Weather in Paris?"}],` +
	`"tools":[{"name":"get_weather","input_schema":{"type":"object"}}]}`

var anthropicToolStream = sse(
	"event: message_start\n"+`data: {"type":"message_start","message":{"id":"msg_tool","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2}}}`,
	"event: content_block_start\n"+`data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`,
	"event: content_block_delta\n"+`data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Checking."}}`,
	"event: content_block_stop\n"+`data: {"type":"content_block_stop","index":0}`,
	"event: content_block_start\n"+`data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}`,
	"event: content_block_delta\n"+`data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}`,
	"event: content_block_delta\n"+`data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"location\":"}}`,
	"event: content_block_delta\n"+`data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \"Paris, France\"}"}}`,
	"event: content_block_stop\n"+`data: {"type":"content_block_stop","index":1}`,
	"event: message_delta\n"+`data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}`,
	"event: message_stop\n"+`data: {"type":"message_stop"}`,
)

const anthropicToolResponse = `{"id":"msg_tool","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",` +
	`"content":[{"type":"text","text":"Checking."},{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{"location": "Paris, France"}}],` +
	`"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":89}}`

// Ollama's native API: NDJSON, one object per line (docs/api.md).
const ollamaChatRequest = `{"model":"llama3.2","messages":[{"role":"user","content":"why is the sky blue?"}],"options":{"temperature":0.5,"num_predict":64}}`

var ollamaChatStream = ndjson(
	`{"model":"llama3.2","created_at":"2023-08-04T08:52:19.385406455-07:00","message":{"role":"assistant","content":"The","images":null},"done":false}`,
	`{"model":"llama3.2","created_at":"2023-08-04T08:52:19.485406455-07:00","message":{"role":"assistant","content":" sky"},"done":false}`,
	`{"model":"llama3.2","created_at":"2023-08-04T08:52:19.585406455-07:00","message":{"role":"assistant","content":" is blue."},"done":false}`,
	`{"model":"llama3.2","created_at":"2023-08-04T19:22:45.499127Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"total_duration":4883583458,"load_duration":1334875,"prompt_eval_count":26,"prompt_eval_duration":342546000,"eval_count":282,"eval_duration":4535599000}`,
)

const ollamaGenerateRequest = `{"model":"llama3.2","prompt":"Why is the sky blue?","system":"Be brief."}`

var ollamaGenerateStream = ndjson(
	`{"model":"llama3.2","created_at":"2023-08-04T08:52:19.385406455-07:00","response":"The","done":false}`,
	`{"model":"llama3.2","created_at":"2023-08-04T08:52:19.485406455-07:00","response":" sky","done":false}`,
	`{"model":"llama3.2","created_at":"2023-08-04T19:22:45.499127Z","response":"","done":true,"done_reason":"length","context":[1,2,3],"total_duration":10706818083,"load_duration":6338219291,"prompt_eval_count":26,"prompt_eval_duration":130079000,"eval_count":259,"eval_duration":4232710000}`,
)

const ollamaChatToolsRequest = `{"model":"llama3.2","stream":false,"messages":[{"role":"user","content":"What is the weather today in Paris?"}],` +
	`"tools":[{"type":"function","function":{"name":"get_current_weather","parameters":{"type":"object"}}}]}`

const ollamaChatToolsResponse = `{
  "model": "llama3.2",
  "created_at": "2024-07-22T20:33:28.123648Z",
  "message": {
    "role": "assistant",
    "content": "",
    "tool_calls": [
      {
        "function": {
          "name": "get_current_weather",
          "arguments": {
            "format": "celsius",
            "location": "Paris, FR"
          }
        }
      }
    ]
  },
  "done_reason": "stop",
  "done": true,
  "total_duration": 885095291,
  "load_duration": 3753500,
  "prompt_eval_count": 122,
  "prompt_eval_duration": 328493000,
  "eval_count": 33,
  "eval_duration": 552222000
}`

// ollamaToolStream is a streamed /api/chat that calls a tool, as Ollama
// streams tool calls since May 2025: each call whole, in one line.
var ollamaToolStream = ndjson(
	`{"model":"qwen3","created_at":"2025-05-27T22:54:57.641643Z","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_current_weather","arguments":{"format":"celsius","location":"Toronto"}}}]},"done":false}`,
	`{"model":"qwen3","created_at":"2025-05-27T22:54:58.100509Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"prompt_eval_count":30,"eval_count":40}`,
)

// ollamaStreamError fails mid-stream, as Ollama reports it.
var ollamaStreamError = ndjson(
	`{"model":"llama3.2","created_at":"2023-08-04T08:52:19.385406455-07:00","message":{"role":"assistant","content":"The"},"done":false}`,
	`{"error":"an error was encountered while running the model: unexpected EOF"}`,
)

// ndjson joins lines into a newline-delimited JSON body.
func ndjson(lines ...string) string {
	out := ""
	for _, l := range lines {
		out += l + "\n"
	}
	return out
}
