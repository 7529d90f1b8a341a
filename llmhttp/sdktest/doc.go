// Package sdktest drives llmhttp through the LLM SDKs Go programs use
// (openai-go, anthropic-sdk-go, sashabaranov/go-openai, langchaingo) against
// local servers that speak each API's documented wire format. It is a
// module of its own so that the SDKs never enter streamll-go's go.mod; it
// holds tests only.
package sdktest
