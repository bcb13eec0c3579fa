// The official openai package against `tutti serve`, unchanged but for its base URL: lists the
// models, asks for a completion whole and streamed, and names an unknown model. Prints what it
// saw as one JSON object; the C++ test that starts the server judges it.
import OpenAI from "openai";

const [baseURL, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: "unused-by-a-server-without-a-token", maxRetries: 0 });
const question = [{ role: "user", content: "what is tea" }];

const seen = {};
seen.models = (await client.models.list()).data.map(m => m.id);
const whole = await client.chat.completions.create({ model, messages: question });
seen.content = whole.choices[0].message.content;
seen.finish_reason = whole.choices[0].finish_reason;
seen.total_tokens = whole.usage.total_tokens;
const stream = await client.chat.completions.create({
  model, messages: question, stream: true, stream_options: { include_usage: true },
});
seen.streamed = "";
for await (const chunk of stream) {
  if (chunk.usage) seen.streamed_total_tokens = chunk.usage.total_tokens;
  for (const choice of chunk.choices) seen.streamed += choice.delta.content ?? "";
}
try {
  await client.chat.completions.create({ model: "ensemble/none", messages: question });
  seen.unknown = "answered";
} catch (e) {
  seen.unknown = e.status;
  seen.unknown_message = e.message;
}
console.log(JSON.stringify(seen));
