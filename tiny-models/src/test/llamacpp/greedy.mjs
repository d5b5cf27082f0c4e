// Runs a GGUF file in llama.cpp (prebuilt inside node-llama-cpp) and prints what it did as one JSON object.
//
// Reads one JSON request on stdin:
//   {"model": "path.gguf", "prompts": [[token ids], ...], "steps": 16, "texts": ["..."], "repeats": 1}
// and prints:
//   {"tokenizations": [[ids of each text]], "continuations": [[steps greedy ids after each prompt]],
//    "decodeMs": [[ms from the first to the last generated token, per prompt, per repeat]], "logs": [{level, message}],
//    "loadLogs": how many of the logs came from loading the file, before its context was made}
//
// Texts are tokenized as a user's text: special-token text in them ("<|endoftext|>") becomes the special token, as
// Glassbox's and Hugging Face's tokenizers do, and nothing is added around them (the files say add_bos_token false).
//
// It never tokenizes the prompts itself: Glassbox gives the ids, so both sides read the same tokens. Greedy means
// temperature 0 (argmax), one thread, end-of-generation tokens yielded like any other token.
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

const request = JSON.parse(await readStdin());
const logs = [];
try {
    process.stdout.write(JSON.stringify({...await run(request), logs}) + "\n");
} catch (error) {
    // a file llama.cpp refuses: its own log says why, so it goes out with the error
    process.stdout.write(JSON.stringify({error: String(error?.message ?? error), logs}) + "\n");
    process.exitCode = 1;
}

async function run(request) {
const steps = request.steps ?? 16;
const repeats = request.repeats ?? 1;

const llama = await getLlama({
    gpu: false,
    build: "never",
    logLevel: LlamaLogLevel.debug,
    logger: (level, message) => logs.push({level, message: message.trimEnd()})
});
const model = await llama.loadModel({modelPath: request.model});
const loadLogs = await logsSettled();
const longest = Math.max(1, ...request.prompts.map(p => p.length));
const context = await model.createContext({threads: 1, contextSize: longest + steps + 1, sequences: 1});
const sequence = context.getSequence();

const tokenizations = (request.texts ?? []).map(text => model.tokenize(text, true));
const continuations = [];
const decodeMs = [];
for (const prompt of request.prompts) {
    const times = [];
    let tokens = [];
    for (let r = 0; r < repeats; r++) {
        await sequence.clearHistory();
        tokens = [];
        let first = 0;
        for await (const token of sequence.evaluate(prompt, {temperature: 0, yieldEogToken: true})) {
            if (tokens.length === 0) first = performance.now();
            tokens.push(token);
            if (tokens.length === steps) break;
        }
        times.push(performance.now() - first);
    }
    continuations.push(tokens);
    decodeMs.push(times);
}

await context.dispose();
await model.dispose();
await llama.dispose();
return {tokenizations, continuations, decodeMs, loadLogs};
}

// llama.cpp logs from the thread that loads the file, and node-llama-cpp hands each line to the event loop, so the
// last lines of loading may arrive after loadModel resolved. They were all queued by then: wait until none comes
// for a while, and the count is the lines of loading.
async function logsSettled() {
    for (let count = -1; count !== logs.length; ) {
        count = logs.length;
        await new Promise(resolve => setTimeout(resolve, 50));
    }
    return logs.length;
}

async function readStdin() {
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    return Buffer.concat(chunks).toString("utf8");
}
