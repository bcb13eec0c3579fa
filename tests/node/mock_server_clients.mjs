// The official openai, @anthropic-ai/sdk and ollama packages against `tutti mock-server`,
// unchanged but for their base URL: a reply whole and streamed from each, and an error status.
// Prints what each saw as one JSON object; the C++ test that starts the mock server judges it.
import Anthropic from "@anthropic-ai/sdk";
import { Ollama } from "ollama";
import OpenAI from "openai";

const [base] = process.argv.slice(2);
const messages = [{ role: "user", content: "what is tea" }];
const seen = { openai: {}, anthropic: {}, ollama: {} };

// The status of the error a call ends with, or "answered".
async function statusOf(call) {
  try {
    await call();
    return "answered";
  } catch (e) {
    return e.status ?? e.status_code ?? String(e);
  }
}

const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey: "mock", maxRetries: 0 });
const whole = await openai.chat.completions.create({ model: "echo", messages });
seen.openai.whole = whole.choices[0].message.content;
seen.openai.total_tokens = whole.usage.total_tokens;
seen.openai.streamed = "";
for await (const chunk of await openai.chat.completions.create({
  model: "echo", messages, stream: true, stream_options: { include_usage: true },
})) {
  for (const choice of chunk.choices) seen.openai.streamed += choice.delta.content ?? "";
}
seen.openai.error = await statusOf(() =>
  openai.chat.completions.create({ model: "fail-503", messages }));

const anthropic = new Anthropic({ baseURL: base, apiKey: "mock", maxRetries: 0 });
const message = await anthropic.messages.create({ model: "echo", max_tokens: 100, messages });
seen.anthropic.whole = message.content[0].text;
seen.anthropic.output_tokens = message.usage.output_tokens;
const stream = anthropic.messages.stream({ model: "echo", max_tokens: 100, messages });
seen.anthropic.streamed = "";
stream.on("text", text => { seen.anthropic.streamed += text; });
const final = await stream.finalMessage();
seen.anthropic.final = final.content[0].text;
seen.anthropic.stop_reason = final.stop_reason;
seen.anthropic.error = await statusOf(() =>
  anthropic.messages.create({ model: "fail-529", max_tokens: 100, messages }));

const ollama = new Ollama({ host: base });
seen.ollama.whole = (await ollama.chat({ model: "echo", messages })).message.content;
seen.ollama.streamed = "";
for await (const part of await ollama.chat({ model: "echo", messages, stream: true })) {
  seen.ollama.streamed += part.message.content;
}
seen.ollama.error = await statusOf(() => ollama.chat({ model: "fail-500", messages }));

console.log(JSON.stringify(seen));
