// The TrainInsight HTTP API, as the page uses it. Every failure becomes an ApiError with the server's problem details.

export class ApiError extends Error {
  constructor(status, title, detail, problem) {
    super(detail ? `${title}: ${detail}` : title);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.problem = problem;
  }
}

export class Api {
  /** @param {string} root the application's root path ("/" or "/base/"), @param {string} prefix MapTrainInsight's prefix */
  constructor(root, prefix) {
    this.base = root.replace(/\/$/, "") + prefix;
  }

  url(path, query) {
    const url = new URL(this.base + path, window.location.origin);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(item));
    }
    return url.pathname + url.search;
  }

  async get(path, query, signal) {
    const response = await fetch(this.url(path, query), { headers: { Accept: "application/json" }, signal });
    return read(response);
  }

  async post(path, body, signal) {
    const response = await fetch(this.url(path), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body ?? {}),
      signal,
    });
    return read(response);
  }

  /**
   * POSTs and reads the answer as Server-Sent Events (the assistant's delta/reset/answer/error stream), calling
   * onEvent(name, data) for each. Returns when the stream ends.
   */
  async postStream(path, body, onEvent, signal) {
    const response = await fetch(this.url(path), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify(body ?? {}),
      signal,
    });
    if (!response.ok || !(response.headers.get("Content-Type") ?? "").startsWith("text/event-stream")) {
      return onEvent("answer", await read(response));
    }

    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, "");
        let name = "message";
        const data = [];
        for (const line of block.split(/\r?\n/)) {
          if (line.startsWith(":")) continue;
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "event") name = text;
          else if (field === "data") data.push(text);
        }
        if (data.length) onEvent(name, JSON.parse(data.join("\n")));
      }
    }
  }
}

async function read(response) {
  const type = response.headers.get("Content-Type") ?? "";
  const body = type.includes("json") ? await response.json().catch(() => null) : await response.text().catch(() => "");
  if (!response.ok) {
    const problem = body && typeof body === "object" ? body : null;
    throw new ApiError(response.status, problem?.title ?? `HTTP ${response.status}`, problem?.detail ?? (typeof body === "string" ? body.slice(0, 300) : ""), problem);
  }
  return body;
}

/** Reads a wire number: a JSON number, or the strings "NaN", "Infinity", "-Infinity". */
export function wireNumber(value) {
  if (typeof value === "number") return value;
  if (value === "NaN") return NaN;
  if (value === "Infinity") return Infinity;
  if (value === "-Infinity") return -Infinity;
  return null;
}
